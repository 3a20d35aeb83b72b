using System.CommandLine;
using CoachFlow.Orchestrations;
using CoachFlow.Web.Email;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Tenancy;
using Microsoft.Extensions.Configuration;

namespace CoachFlow.Cli;

/// <summary>
/// <c>admin …</c>: create a firm and its first admin (printing the token, shown once),
/// add a coach, firm admin or sponsor to a firm (with their token), seed the local demo firm, set a firm's retention or sender. Storage comes from the same configuration as
/// the app (CoachFlow__Storage__ConnectionString).
/// </summary>
internal static class AdminCommands
{
    /// <summary>Exit codes: 0 done; 1 the storage did not answer; 2 bad arguments (no such firm, a malformed email or value).</summary>
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "The firm's name", Required = true };
        var adminName = new Option<string>("--admin-name") { Description = "The first admin's name", Required = true };
        var adminEmail = new Option<string>("--admin-email") { Description = "The first admin's email", Required = true };
        var days = new Option<int>("--token-days") { Description = "Days until the token expires", DefaultValueFactory = _ => 90 };

        var createFirm = new Command("create-firm", "Create a firm and its first admin; prints the admin's access token once") { name, adminName, adminEmail, days };
        createFirm.SetAction(async (parse, ct) =>
        {
            var tenancy = await OpenAsync(ct);
            var (firm, admin, token) = await tenancy.CreateFirmAsync(parse.GetValue(name)!, parse.GetValue(adminName)!, parse.GetValue(adminEmail)!, TimeSpan.FromDays(parse.GetValue(days)), ct: ct);
            Console.WriteLine($"firm: {firm.FirmId}");
            Console.WriteLine($"admin: {admin.CoachId}");
            Console.WriteLine($"token: {token.Token}");
            Console.WriteLine($"expires: {token.ExpiresAt:yyyy-MM-dd}");
            return 0;
        });

        var firm = new Option<string>("--firm") { Description = "The firm's id (printed by create-firm)", Required = true };
        var userName = new Option<string>("--name") { Description = "The person's name", Required = true };
        var email = new Option<string>("--email") { Description = "The person's email", Required = true };
        var role = new Option<string>("--role") { Description = "coach, firm-admin, or sponsor (reads only the engagements started with their id as sponsorId)", DefaultValueFactory = _ => "coach" };
        role.AcceptOnlyFromAmong("coach", "firm-admin", "sponsor");
        var addUser = new Command("add-user", "Add a coach, firm admin or sponsor to a firm; prints their id and access token once") { firm, userName, email, role, days };
        addUser.SetAction(async (parse, ct) =>
        {
            var tenancy = await OpenAsync(ct);
            var firmId = parse.GetValue(firm)!;
            if (await tenancy.GetFirmAsync(firmId, ct) is null) throw new BadInputException($"There is no firm '{firmId}'.");
            var chosen = parse.GetValue(role) switch { "firm-admin" => Role.FirmAdmin, "sponsor" => Role.Sponsor, _ => Role.Coach };
            var user = await tenancy.AddCoachAsync(firmId, parse.GetValue(userName)!, parse.GetValue(email)!, chosen, coachId: null, ct);
            var token = await tenancy.IssueTokenAsync(user, TimeSpan.FromDays(parse.GetValue(days)), ct);
            Console.WriteLine($"{parse.GetValue(role)}: {user.CoachId}");
            Console.WriteLine($"token: {token.Token}");
            Console.WriteLine($"expires: {token.ExpiresAt:yyyy-MM-dd}");
            return 0;
        });

        var seedDemo = new Command("seed-demo", "Create the local demo firm, its coach and a sponsor if missing; prints a fresh coach token");
        seedDemo.SetAction(async (parse, ct) =>
        {
            var tenancy = await OpenAsync(ct);
            if (await tenancy.GetFirmAsync("firm-demo", ct) is null)
            {
                await tenancy.CreateFirmAsync("Northwind Coaching", "Avery Admin", "admin@northwind.example", TimeSpan.FromDays(30), firmId: "firm-demo", ct: ct);
                await tenancy.AddCoachAsync("firm-demo", "Casey Coach", "casey@northwind.example", Role.Coach, "coach-demo", ct);
            }
            // A sponsor (an employer paying for its people's coaching) the coach can name when starting an engagement.
            if (await tenancy.GetCoachAsync("firm-demo", "sponsor-demo", ct) is null)
                await tenancy.AddCoachAsync("firm-demo", "Jordan Sponsor (Contoso)", "jordan@contoso.example", Role.Sponsor, "sponsor-demo", ct);
            var coach = await tenancy.GetCoachAsync("firm-demo", "coach-demo", ct) ?? throw new InvalidOperationException("The demo coach is missing.");
            var token = await tenancy.IssueTokenAsync(coach, TimeSpan.FromDays(30), ct);
            Console.WriteLine($"coach: {coach.Name} ({coach.CoachId}, firm {coach.FirmId})");
            Console.WriteLine($"token: {token.Token}");
            return 0;
        });

        var retentionFirm = new Option<string>("--firm") { Description = "The firm's id", Required = true };
        var months = new Option<string>("--months")
        {
            Description = $"Months after an engagement closed or ended until it is erased ({TenancyStore.MinRetentionMonths}–{TenancyStore.MaxRetentionMonths}), or 'off' to keep engagements",
            Required = true,
        };
        var setRetention = new Command("set-retention", "Set how long the firm keeps engagements that are over; past it they are erased (docs/erasure.md)") { retentionFirm, months };
        setRetention.SetAction(async (parse, ct) =>
        {
            var tenancy = await OpenAsync(ct);
            var text = parse.GetValue(months)!.Trim();
            int? value = text.Equals("off", StringComparison.OrdinalIgnoreCase) ? null
                : int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n
                : throw new BadInputException($"--months is a whole number of months or 'off', not '{text}'.");
            await tenancy.SetRetentionAsync(parse.GetValue(retentionFirm)!, value, ct);
            Console.WriteLine(value is { } m ? $"retention: {m} months after an engagement is over" : "retention: off (engagements are kept)");
            return 0;
        });

        var senderFirm = new Option<string>("--firm") { Description = "The firm's id", Required = true };
        var senderName = new Option<string>("--name") { Description = "The From name of the firm's mail, e.g. the firm's name", Required = true };
        var senderEmail = new Option<string>("--email")
        {
            Description = "The From address: a SendGrid verified sender or an address on an authenticated domain (CoachFlow__Email__AllowedSenderDomains, when set)",
            Required = true,
        };
        var setSender = new Command("set-sender", "Set whom the firm's mail is from (replies still go to its coach); docs/deploy.md") { senderFirm, senderName, senderEmail };
        setSender.SetAction(async (parse, ct) =>
        {
            var tenancy = await OpenAsync(ct);
            var firm = await tenancy.SetSenderAsync(parse.GetValue(senderFirm)!, parse.GetValue(senderName), parse.GetValue(senderEmail), ct);
            Console.WriteLine($"sender: {firm.SenderName} <{firm.SenderEmail}>");
            return 0;
        });

        return new Command("admin", "CoachFlow administration: firms, their people, retention and sender") { createFirm, addUser, seedDemo, setRetention, setSender };
    }

    private static async Task<TenancyStore> OpenAsync(CancellationToken ct)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var storage = new StorageAccount(HostServices.StorageOptionsFrom(configuration));
        await storage.EnsureCreatedAsync(ct);
        var tenancy = new TenancyStore(storage, TimeProvider.System, configuration.GetSection(EmailOptions.Section).Get<EmailOptions>());
        await tenancy.EnsureCreatedAsync(ct);
        return tenancy;
    }
}
