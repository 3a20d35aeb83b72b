using System.CommandLine;
using CoachFlow.Orchestrations;
using CoachFlow.Web.Email;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Tenancy;
using CoachFlow.Web.OutboundWebhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CoachFlow.Cli;

/// <summary>
/// <c>webhooks add|list|deliveries|resend|enable|disable|remove --firm F …</c>: a firm's webhook
/// endpoints from the command line, on the storage the app uses (<c>CoachFlow__Storage__…</c>), through the same
/// <see cref="WebhookService"/> the API calls, as a firm admin named <c>cli</c>. Deliveries themselves go out from the
/// running CoachFlow's worker; <c>resend</c> sends its one attempt from here.
/// </summary>
internal static class WebhookCommand
{
    /// <summary>Exit codes: 0 done; 1 the storage did not answer; 2 bad arguments or input (the reason on stderr); 3 not possible now (e.g. a resend while the endpoint is off).</summary>
    public static Command Create()
    {
        var firm = new Option<string>("--firm") { Description = "The firm's id", Required = true };
        var endpoint = new Option<string>("--endpoint") { Description = "The endpoint's id (wh-…, as add and list print it)", Required = true };
        var url = new Option<string>("--url") { Description = "The endpoint's https URL", Required = true };
        var events = new Option<string>("--events") { Description = $"Comma-separated event types: {string.Join(", ", WebhookEventTypes.All)}", Required = true };
        var description = new Option<string?>("--description") { Description = "What the endpoint is for (shown in the list and in emails to the firm's admins)" };
        var status = new Option<string?>("--status") { Description = "Only deliveries with this status: pending, delivered or failed" };
        var engagement = new Option<string?>("--engagement") { Description = "Only the deliveries of this engagement" };
        var delivery = new Option<string>("--delivery") { Description = "The delivery's id (its webhook-id, msg_…)", Required = true };

        var add = new Command("add", "Register an endpoint; prints its id and its signing secret (shown this once)") { firm, url, events, description };
        add.SetAction((parse, ct) => WithServicesAsync(parse.GetValue(firm)!, async (service, caller) =>
        {
            var created = await service.CreateAsync(caller, new CreateWebhookRequest(parse.GetValue(url), parse.GetValue(events)!.Split(','), parse.GetValue(description)), ct);
            Console.WriteLine($"endpoint: {created.Id}");
            Console.WriteLine($"url: {created.Url}");
            Console.WriteLine($"events: {string.Join(',', created.Events)}");
            Console.WriteLine($"secret: {created.Secret}");
            Console.WriteLine("Keep the secret now: it verifies every delivery's webhook-signature, and it is never shown again.");
        }));

        var list = new Command("list", "The firm's endpoints: id, status, url, events") { firm };
        list.SetAction((parse, ct) => WithServicesAsync(parse.GetValue(firm)!, async (service, caller) =>
        {
            foreach (var e in await service.ListAsync(caller, ct))
            {
                Console.WriteLine($"{e.Id}  {e.Status}  {e.Url}  {string.Join(',', e.Events)}{(e.Description is null ? "" : $"  ({e.Description})")}");
                if (e.FailingSince is { } since) Console.WriteLine($"    failing since {since:yyyy-MM-dd HH:mm} UTC ({e.ConsecutiveFailures} failed attempts, last HTTP {e.LastStatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"})");
                if (e.DisabledReason is { } reason) Console.WriteLine($"    switched off {e.DisabledAt:yyyy-MM-dd HH:mm} UTC: {reason}");
            }
        }));

        var deliveries = new Command("deliveries", "An endpoint's delivery log: id, type, engagement, status, attempts, last error") { firm, endpoint, status, engagement };
        deliveries.SetAction((parse, ct) => WithServicesAsync(parse.GetValue(firm)!, async (service, caller) =>
        {
            string? token = null;
            do
            {
                var page = await service.DeliveriesAsync(caller, parse.GetValue(endpoint)!, parse.GetValue(status), parse.GetValue(engagement), $"{WebhookService.MaxPageSize}", token, ct);
                foreach (var d in page.Items)
                    Console.WriteLine($"{d.Id}  {d.Type}  {d.Status}  attempts {d.Attempts}{(d.LastStatusCode is { } code ? $"  last HTTP {code}" : "")}{(d.LastError is { } error ? $"  last error: {error}" : "")}");
                token = page.ContinuationToken;
            }
            while (token is not null);
        }));

        var resend = new Command("resend", "Send one delivery again now, with the same webhook-id; prints what the endpoint answered") { firm, endpoint, delivery };
        resend.SetAction((parse, ct) => WithServicesAsync(parse.GetValue(firm)!, async (service, caller) =>
        {
            var result = await service.ResendAsync(caller, parse.GetValue(endpoint)!, parse.GetValue(delivery)!, ct);
            Console.WriteLine(result.Delivered ? $"delivered: HTTP {result.StatusCode}" : $"not delivered: {result.Error}");
            Console.WriteLine($"attempts: {result.Delivery.Attempts}");
        }));

        Command Switch(string name, bool on, string what)
        {
            var command = new Command(name, what) { firm, endpoint };
            command.SetAction((parse, ct) => WithServicesAsync(parse.GetValue(firm)!, async (service, caller) =>
            {
                var updated = await service.UpdateAsync(caller, parse.GetValue(endpoint)!, new UpdateWebhookRequest(Enabled: on), ct);
                Console.WriteLine($"{updated.Id}: {updated.Status}");
            }));
            return command;
        }

        var remove = new Command("remove", "Remove an endpoint and its delivery log") { firm, endpoint };
        remove.SetAction((parse, ct) => WithServicesAsync(parse.GetValue(firm)!, async (service, caller) =>
        {
            await service.DeleteAsync(caller, parse.GetValue(endpoint)!, ct);
            Console.WriteLine($"removed: {parse.GetValue(endpoint)}");
        }));

        return new Command("webhooks", "CoachFlow webhooks: a firm's endpoints and their deliveries (docs/webhooks.md)")
        {
            add, list, deliveries, resend,
            Switch("enable", on: true, "Switch an endpoint on again: what waited goes out, in order (the running CoachFlow sends it)"),
            Switch("disable", on: false, "Switch an endpoint off: new events are kept for it and wait"),
            remove,
        };
    }

    /// <summary>Builds the services the API uses, on the configured storage, and runs <paramref name="act"/> as the firm's "cli" admin.</summary>
    private static async Task<int> WithServicesAsync(string firmId, Func<WebhookService, Caller, Task> act)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddCoachFlowServices(configuration); // storage and tenancy (the rest is never resolved here)
        services.AddCoachFlowEmail();
        services.AddSharedDataProtection();
        services.AddWebhooks(configuration);
        await using var provider = services.BuildServiceProvider();
        try
        {
            var store = provider.GetRequiredService<WebhookStore>();
            await store.EnsureCreatedAsync();
            var found = await provider.GetRequiredService<TenancyStore>().GetFirmAsync(firmId) ?? throw new BadInputException($"There is no firm '{firmId}'.");
            await act(provider.GetRequiredService<WebhookService>(), new Caller(found, new Coach(found.FirmId, "cli", "Command line", "", Role.FirmAdmin)));
            return 0;
        }
        catch (Exception ex) when (ex is NotPossibleNowException or InvalidStatusException)
        {
            Console.Error.WriteLine(ex.Message);
            return 3;
        }
    }
}
