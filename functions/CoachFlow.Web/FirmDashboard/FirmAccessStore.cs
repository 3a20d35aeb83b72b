using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Tenancy;

namespace CoachFlow.Web.FirmDashboard;

/// <summary>How long sign-in links and sessions last, and how many links one address may ask for (<c>CoachFlow:FirmDashboard</c>).</summary>
public sealed class FirmAccessOptions
{
    public const string Section = "CoachFlow:FirmDashboard";

    /// <summary>How long an emailed sign-in link can be used (once).</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a dashboard session lasts after sign-in (it is not extended).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How many sign-in links one address is sent per <see cref="RateWindow"/>.</summary>
    public int LinksPerWindow { get; set; } = 3;

    public TimeSpan RateWindow { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>Why a sign-in link could not be used.</summary>
public enum LinkRefusal { None, Unknown, Used, Expired }

/// <summary>
/// Sign-in links and sessions of the firm dashboard, in table <c>{prefix}firmaccess</c>: partition <c>link</c> (one row per
/// emailed link), <c>session</c> (one row per session), <c>rate</c> (links sent per address and window). Row keys are the
/// SHA-256 of the secret (or of the address), so the table holds no token and no email address.
/// </summary>
/// <remarks>
/// A link is consumed by an ETag-guarded update: of two requests with the same link, one gets the session and the other
/// is told the link was used. A session expires at a fixed time and is deleted on sign-out.
/// </remarks>
public sealed class FirmAccessStore(StorageAccount storage, FirmAccessOptions options, TimeProvider time)
{
    private readonly TableClient _table = storage.Table("firmaccess");
    private int _created;

    public FirmAccessOptions Options => options;

    private async Task EnsureAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _created) == 1) return;
        await _table.CreateIfNotExistsAsync(ct);
        Volatile.Write(ref _created, 1);
    }

    /// <summary>Counts one more link for the address; false when it has had <see cref="FirmAccessOptions.LinksPerWindow"/> this window.</summary>
    public async Task<bool> TryCountLinkAsync(string email, CancellationToken ct)
    {
        await EnsureAsync(ct);
        var now = time.GetUtcNow();
        var window = now.UtcTicks / options.RateWindow.Ticks;
        var key = $"{TenancyStore.Hash(email.ToLowerInvariant())}-{window}";
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var row = await _table.GetEntityIfExistsAsync<TableEntity>("rate", key, cancellationToken: ct);
            try
            {
                if (!row.HasValue)
                {
                    await _table.AddEntityAsync(new TableEntity("rate", key) { ["Count"] = 1, ["ExpiresAt"] = now + options.RateWindow }, ct);
                    return true;
                }
                var count = row.Value!.GetInt32("Count") ?? 0;
                if (count >= options.LinksPerWindow) return false;
                await _table.UpdateEntityAsync(new TableEntity("rate", key) { ["Count"] = count + 1 }, row.Value.ETag, TableUpdateMode.Merge, ct);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another request counted at the same moment: read again.
            }
        }
        return false;
    }

    /// <summary>A new single-use sign-in link secret for the person; only its SHA-256 is kept.</summary>
    public async Task<string> IssueLinkAsync(Coach person, CancellationToken ct)
    {
        await EnsureAsync(ct);
        var secret = "cfl_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        await _table.AddEntityAsync(new TableEntity("link", TenancyStore.Hash(secret))
        {
            ["FirmId"] = person.FirmId,
            ["PersonId"] = person.CoachId,
            ["ExpiresAt"] = time.GetUtcNow() + options.LinkLifetime,
            ["Used"] = false,
        }, ct);
        return secret;
    }

    /// <summary>Uses the link once: the person it was issued to, or why not.</summary>
    public async Task<(string? FirmId, string? PersonId, LinkRefusal Refusal)> ConsumeLinkAsync(string? secret, CancellationToken ct)
    {
        if (!LooksLike(secret, "cfl_")) return (null, null, LinkRefusal.Unknown);
        await EnsureAsync(ct);
        var row = await _table.GetEntityIfExistsAsync<TableEntity>("link", TenancyStore.Hash(secret!), cancellationToken: ct);
        if (!row.HasValue) return (null, null, LinkRefusal.Unknown);
        var link = row.Value!;
        if (link.GetBoolean("Used") == true) return (null, null, LinkRefusal.Used);
        if (link.GetDateTimeOffset("ExpiresAt") is not { } expires || expires <= time.GetUtcNow()) return (null, null, LinkRefusal.Expired);
        try
        {
            await _table.UpdateEntityAsync(new TableEntity("link", link.RowKey) { ["Used"] = true, ["UsedAt"] = time.GetUtcNow() }, link.ETag, TableUpdateMode.Merge, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return (null, null, LinkRefusal.Used);
        }
        return (link.GetString("FirmId"), link.GetString("PersonId"), LinkRefusal.None);
    }

    /// <summary>Starts a session; returns the cookie's secret (kept only as its SHA-256) and when it expires.</summary>
    public async Task<(string Secret, DateTimeOffset ExpiresAt)> StartSessionAsync(string firmId, string personId, CancellationToken ct)
    {
        await EnsureAsync(ct);
        var secret = "cfs_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        var expires = time.GetUtcNow() + options.SessionLifetime;
        await _table.AddEntityAsync(new TableEntity("session", TenancyStore.Hash(secret)) { ["FirmId"] = firmId, ["PersonId"] = personId, ["ExpiresAt"] = expires }, ct);
        return (secret, expires);
    }

    /// <summary>The session's person, or null when the cookie names no live session (unknown, expired or signed out).</summary>
    public async Task<(string FirmId, string PersonId)?> SessionAsync(string? secret, CancellationToken ct)
    {
        if (!LooksLike(secret, "cfs_")) return null;
        await EnsureAsync(ct);
        var row = await _table.GetEntityIfExistsAsync<TableEntity>("session", TenancyStore.Hash(secret!), cancellationToken: ct);
        if (!row.HasValue) return null;
        var s = row.Value!;
        if (s.GetDateTimeOffset("ExpiresAt") is not { } expires || expires <= time.GetUtcNow()) return null;
        return (s.GetString("FirmId"), s.GetString("PersonId"));
    }

    /// <summary>Ends the session: its row is deleted, so the cookie opens nothing even if it was copied.</summary>
    public async Task EndSessionAsync(string? secret, CancellationToken ct)
    {
        if (!LooksLike(secret, "cfs_")) return;
        await EnsureAsync(ct);
        await _table.DeleteEntityAsync("session", TenancyStore.Hash(secret!), ETag.All, ct);
    }

    private static bool LooksLike(string? secret, string prefix) =>
        secret is { Length: > 4 and <= 100 } && secret.StartsWith(prefix, StringComparison.Ordinal) && secret.Skip(4).All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
