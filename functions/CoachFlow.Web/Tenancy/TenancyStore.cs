using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using CoachFlow.Orchestrations;
using CoachFlow.Web.Email;
using CoachFlow.Web.Hosting;

namespace CoachFlow.Web.Tenancy;

/// <summary>What a caller may do inside their firm.</summary>
public enum Role
{
    /// <summary>Everything in the firm, including coaches and tokens.</summary>
    FirmAdmin,
    /// <summary>Their own engagements (and the firm's, read-only).</summary>
    Coach,
    /// <summary>Agreed progress only: never answers or private notes.</summary>
    Sponsor,
}

/// <param name="SenderName">The From name of the firm's mail: its own, else the deployment's default, else the firm's name.</param>
/// <param name="SenderEmail">The From address of the firm's mail: its own (set by a firm admin), else the deployment's default (<see cref="EmailOptions.SenderEmail"/>). Replies go to the coach.</param>
/// <param name="RetentionMonths">Engagements that are over are erased this many months after they closed or ended; null: kept (the default).</param>
public sealed record Firm(string FirmId, string Name, string PrimaryColor, string? LogoUrl, string SenderName, string SenderEmail, int? RetentionMonths = null);

public sealed record Coach(string FirmId, string CoachId, string Name, string Email, Role Role);

/// <summary>The authenticated caller of the coach API.</summary>
public sealed record Caller(Firm Firm, Coach Coach)
{
    public string FirmId => Firm.FirmId;
    public Role Role => Coach.Role;
    public bool CanWrite => Role is not Role.Sponsor;
}

public sealed record IssuedToken(string Token, string TokenId, DateTimeOffset ExpiresAt);

/// <summary>
/// Firms, their coaches and personal access tokens, in one table. Tokens are shown once and stored only as
/// a SHA-256 hash; they expire and can be revoked.
/// </summary>
/// <param name="email">Where a firm's default sender comes from; none: the development placeholder.</param>
public sealed class TenancyStore(StorageAccount storage, TimeProvider time, EmailOptions? email = null)
{
    private readonly EmailOptions _email = email ?? new EmailOptions();
    private const string TokenPrefix = "cfp_";
    /// <summary>The table's name under the prefix. It also keeps <see cref="Links.LinkSigner"/>'s generated key and used single-use links (partitions <c>settings</c> and <c>used-link</c>).</summary>
    public const string TableName = "tenancy";

    private readonly TableClient _table = storage.Table(TableName);

    public Task EnsureCreatedAsync(CancellationToken ct = default) => _table.CreateIfNotExistsAsync(ct);

    public async Task<(Firm Firm, Coach Admin, IssuedToken Token)> CreateFirmAsync(string name, string adminName, string adminEmail, TimeSpan tokenLifetime, string? firmId = null, CancellationToken ct = default)
    {
        // No sender of its own yet: the firm sends from the deployment's default until an admin sets one.
        var row = new TableEntity("firm", firmId ?? NewId("firm"))
        {
            ["Name"] = Require(name, "firm name", 200),
            ["PrimaryColor"] = "#1f5f8b",
        };
        await _table.AddEntityAsync(row, ct);
        var firm = ToFirm(row);
        var admin = await AddCoachAsync(firm.FirmId, adminName, adminEmail, Role.FirmAdmin, coachId: null, ct);
        var token = await IssueTokenAsync(admin, tokenLifetime, ct);
        return (firm, admin, token);
    }

    public async Task<Coach> AddCoachAsync(string firmId, string name, string email, Role role, string? coachId, CancellationToken ct = default)
    {
        var coach = new Coach(firmId, coachId ?? NewId(role == Role.Sponsor ? "sponsor" : "coach"), Require(name, "name", 200), RequireEmail(email), role);
        await _table.AddEntityAsync(new TableEntity(firmId, "coach|" + coach.CoachId)
        {
            ["Name"] = coach.Name,
            ["Email"] = coach.Email,
            ["Role"] = coach.Role.ToString(),
        }, ct);
        return coach;
    }

    public async Task<IssuedToken> IssueTokenAsync(Coach coach, TimeSpan lifetime, CancellationToken ct = default)
    {
        var secret = TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var tokenId = Hash(secret)[..16];
        var expires = time.GetUtcNow() + lifetime;
        await _table.AddEntityAsync(new TableEntity("token", Hash(secret))
        {
            ["TokenId"] = tokenId,
            ["FirmId"] = coach.FirmId,
            ["CoachId"] = coach.CoachId,
            ["ExpiresAt"] = expires,
            ["Revoked"] = false,
        }, ct);
        await _table.UpsertEntityAsync(new TableEntity(coach.FirmId, "tokenid|" + tokenId) { ["Hash"] = Hash(secret), ["CoachId"] = coach.CoachId, ["ExpiresAt"] = expires }, cancellationToken: ct);
        return new IssuedToken(secret, tokenId, expires);
    }

    public async Task<bool> RevokeAsync(string firmId, string tokenId, CancellationToken ct = default)
    {
        var index = await _table.GetEntityIfExistsAsync<TableEntity>(firmId, "tokenid|" + tokenId, cancellationToken: ct);
        if (!index.HasValue) return false;
        await _table.UpdateEntityAsync(new TableEntity("token", index.Value!.GetString("Hash")) { ["Revoked"] = true }, ETag.All, TableUpdateMode.Merge, ct);
        return true;
    }

    /// <summary>The caller a token belongs to, or why it is refused.</summary>
    public async Task<(Caller? Caller, string? Problem)> AuthenticateAsync(string? token, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(token) || !token.StartsWith(TokenPrefix, StringComparison.Ordinal) || token.Length > 100)
            return (null, "Send a personal access token as 'Authorization: Bearer cfp_…'. A firm admin can issue one.");
        var row = await _table.GetEntityIfExistsAsync<TableEntity>("token", Hash(token), cancellationToken: ct);
        if (!row.HasValue) return (null, "This access token is not known. Check it was copied whole, or ask your firm admin for a new one.");
        var t = row.Value!;
        if (t.GetBoolean("Revoked") == true) return (null, "This access token was revoked. Ask your firm admin for a new one.");
        if (t.GetDateTimeOffset("ExpiresAt") is { } expires && expires <= time.GetUtcNow()) return (null, $"This access token expired on {expires:yyyy-MM-dd}. Ask your firm admin for a new one.");
        var firm = await GetFirmAsync(t.GetString("FirmId"), ct);
        var coach = await GetCoachAsync(t.GetString("FirmId"), t.GetString("CoachId"), ct);
        return firm is null || coach is null ? (null, "The coach this token belongs to no longer exists.") : (new Caller(firm, coach), null);
    }

    public async Task<Firm?> GetFirmAsync(string firmId, CancellationToken ct = default)
    {
        if (!IsId(firmId)) return null;
        var row = await _table.GetEntityIfExistsAsync<TableEntity>("firm", firmId, cancellationToken: ct);
        if (!row.HasValue) return null;
        var f = row.Value!;
        return ToFirm(f);
    }

    private Firm ToFirm(TableEntity f)
    {
        // Firms created before senders were configurable stored the local placeholder: that is "none of its own".
        var own = f.GetString("SenderEmail") is { Length: > 0 } e && e != EmailOptions.DevelopmentSender ? e : null;
        var name = own is not null ? f.GetString("SenderName") : null;
        return new(f.RowKey, f.GetString("Name"), f.GetString("PrimaryColor") ?? "#1f5f8b", f.GetString("LogoUrl"),
            name ?? (string.IsNullOrWhiteSpace(_email.SenderName) ? f.GetString("Name") : _email.SenderName.Trim()), own ?? _email.DefaultSenderEmail,
            f.GetInt32("RetentionMonths") is > 0 and var months ? months : null);
    }

    /// <summary>
    /// Sets the name and address the firm's mail is from (replies still go to its coach). The address must be a SendGrid
    /// verified sender or on an authenticated domain; where the deployment lists its domains
    /// (<see cref="EmailOptions.AllowedSenderDomains"/>) it must be on one of them.
    /// </summary>
    public async Task<Firm> SetSenderAsync(string firmId, string? name, string? email, CancellationToken ct = default)
    {
        var senderName = Require(name, "sender name", 200);
        if (senderName.Any(c => char.IsControl(c) || c is '"' or '<' or '>'))
            throw new BadInputException("The sender name cannot hold quotes, angle brackets or line breaks.");
        var address = RequireEmail(email?.Trim());
        if (!_email.AllowsSender(address))
            throw new BadInputException($"'{address}' is not on a domain this deployment may send from ({string.Join(", ", _email.AllowedSenderDomains)}): "
                + "use an address on one of them, or ask the operator to authenticate the domain in SendGrid and add it to CoachFlow__Email__AllowedSenderDomains.");
        if (await GetFirmAsync(firmId, ct) is null) throw new BadInputException($"There is no firm '{firmId}'.");
        await _table.UpdateEntityAsync(new TableEntity("firm", firmId) { ["SenderName"] = senderName, ["SenderEmail"] = address }, ETag.All, TableUpdateMode.Merge, ct);
        return await GetFirmAsync(firmId, ct) ?? throw new BadInputException($"There is no firm '{firmId}'.");
    }

    /// <summary>Every firm that keeps engagements for a limited time (for the retention sweep): one partition query.</summary>
    public async Task<IReadOnlyList<Firm>> FirmsWithRetentionAsync(CancellationToken ct = default)
    {
        var firms = new List<Firm>();
        await foreach (var row in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"firm"} and RetentionMonths gt {0}"), cancellationToken: ct))
            firms.Add(ToFirm(row));
        return firms;
    }

    /// <summary>Sets how many months after they are over the firm's engagements are erased; null turns retention off.</summary>
    public async Task SetRetentionAsync(string firmId, int? months, CancellationToken ct = default)
    {
        if (months is < MinRetentionMonths or > MaxRetentionMonths)
            throw new BadInputException($"Retention is between {MinRetentionMonths} and {MaxRetentionMonths} months after an engagement is over, or null to keep engagements.");
        if (await GetFirmAsync(firmId, ct) is null) throw new BadInputException($"There is no firm '{firmId}'.");
        // 0 is "off": a merge leaves out null properties, so it could never clear the setting.
        await _table.UpdateEntityAsync(new TableEntity("firm", firmId) { ["RetentionMonths"] = months ?? 0 }, ETag.All, TableUpdateMode.Merge, ct);
    }

    public const int MinRetentionMonths = 1;
    public const int MaxRetentionMonths = 240;

    public async Task<Coach?> GetCoachAsync(string firmId, string coachId, CancellationToken ct = default)
    {
        if (!IsId(firmId) || !IsId(coachId)) return null;
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(firmId, "coach|" + coachId, cancellationToken: ct);
        if (!row.HasValue) return null;
        var c = row.Value!;
        return new Coach(firmId, coachId, c.GetString("Name"), c.GetString("Email"), Enum.Parse<Role>(c.GetString("Role")));
    }

    /// <summary>The firm's people (admins, coaches, sponsors), or only those of <paramref name="role"/>, by name: one partition query.</summary>
    public async Task<IReadOnlyList<Coach>> ListPeopleAsync(string firmId, Role? role = null, CancellationToken ct = default)
    {
        if (!IsId(firmId)) return [];
        var people = new List<Coach>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {firmId} and RowKey ge {"coach|"} and RowKey lt {"coach}"}");
        await foreach (var c in _table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            var person = new Coach(firmId, c.RowKey["coach|".Length..], c.GetString("Name"), c.GetString("Email"), Enum.Parse<Role>(c.GetString("Role")));
            if (role is null || person.Role == role) people.Add(person);
        }
        return [.. people.OrderBy(p => p.Name, StringComparer.CurrentCultureIgnoreCase).ThenBy(p => p.CoachId, StringComparer.Ordinal)];
    }

    /// <summary>The firm admins and sponsors with this address, in every firm (coaches are not listed: they use the extension).</summary>
    /// <remarks>The tenancy table keeps no email index, so this is a filtered query over people rows; sign-in is rare and rate-limited.</remarks>
    public async Task<IReadOnlyList<Coach>> AdminsAndSponsorsWithEmailAsync(string email, CancellationToken ct)
    {
        var found = new List<Coach>();
        foreach (var candidate in new[] { email, email.ToLowerInvariant() }.Distinct(StringComparer.Ordinal))
        {
            var filter = TableClient.CreateQueryFilter($"RowKey ge {"coach|"} and RowKey lt {"coach}"} and Email eq {candidate}");
            await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            {
                if (!Enum.TryParse<Role>(row.GetString("Role"), out var role) || role is Role.Coach) continue;
                if (found.Any(c => c.FirmId == row.PartitionKey && c.CoachId == row.RowKey["coach|".Length..])) continue;
                found.Add(new Coach(row.PartitionKey, row.RowKey["coach|".Length..], row.GetString("Name") ?? "", row.GetString("Email") ?? "", role));
            }
        }
        return found;
    }

    /// <summary>The names of the firm's people (coaches, admins, sponsors) by id, for the dashboard's coach load table.</summary>
    public async Task<IReadOnlyDictionary<string, string>> PeopleNamesAsync(string firmId, CancellationToken ct)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {firmId} and RowKey ge {"coach|"} and RowKey lt {"coach}"}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, select: ["RowKey", "Name"], cancellationToken: ct))
            names[row.RowKey["coach|".Length..]] = row.GetString("Name") ?? "";
        return names;
    }

    /// <summary>
    /// The firm a user with this id or email belongs to, in any firm; null when nobody has it. A query across every
    /// firm's partition: for telling "a coach of another firm" from "nobody", on the few references a firm's own users do not match.
    /// </summary>
    public async Task<string?> FindUserFirmAsync(string idOrEmail, CancellationToken ct = default)
    {
        var filter = idOrEmail.Contains('@', StringComparison.Ordinal)
            ? TableClient.CreateQueryFilter($"RowKey ge {"coach|"} and RowKey lt {"coach}"} and (Email eq {idOrEmail} or Email eq {idOrEmail.ToLowerInvariant()})")
            : IsId(idOrEmail) ? TableClient.CreateQueryFilter($"RowKey eq {"coach|" + idOrEmail}") : null;
        if (filter is null) return null;
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["PartitionKey"], cancellationToken: ct))
            return row.PartitionKey;
        return null;
    }

    /// <summary>Ids are letters, digits, '-' and '_' (what <c>NewId</c> makes); anything else names nobody and never reaches a table key.</summary>
    private static bool IsId(string id) => id.Length is > 0 and <= 100 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private static string NewId(string kind) => $"{kind}-{Base64Url(RandomNumberGenerator.GetBytes(9)).ToLowerInvariant().Replace('_', 'x').Replace('-', 'y')}";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    internal static string Require(string? value, string what, int max)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new BadInputException($"A {what} is required.");
        if (value.Length > max) throw new BadInputException($"The {what} is at most {max} characters.");
        return value.Trim();
    }

    /// <summary>The trimmed address, checked as the API checks every email address (the command line checks with it too); a <see cref="BadInputException"/> saying why when it is not one.</summary>
    public static string RequireEmail(string? value)
    {
        var email = Require(value, "email address", 254);
        if (!System.Net.Mail.MailAddress.TryCreate(email, out var parsed) || parsed.Address != email || !email.Contains('.', StringComparison.Ordinal))
            throw new BadInputException($"'{email}' is not an email address.");
        return email;
    }
}
