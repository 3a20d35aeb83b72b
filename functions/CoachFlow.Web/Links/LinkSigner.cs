using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CoachFlow.Web.Hosting;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Web.Links;

/// <summary>What an emailed link lets its holder do: one purpose, on one engagement, until it expires.</summary>
/// <param name="EngagementId">The engagement.</param>
/// <param name="Purpose">e.g. <c>sign-contract</c>, <c>intake</c>, <c>action-checkin</c>.</param>
/// <param name="Ref">What it is about (a session number, an action id…), or null.</param>
/// <param name="ExpiresAt">After this the link shows a clear "expired" page.</param>
/// <param name="Nonce">Unique per link; a single-use link records it when used.</param>
public sealed record LinkGrant(string EngagementId, string Purpose, string? Ref, DateTimeOffset ExpiresAt, string Nonce);

/// <summary>Why a link cannot be used.</summary>
public enum LinkProblem { None, Malformed, Forged, Expired, Used }

/// <summary>
/// Signs and checks the tokens in emailed links (HMAC-SHA256 over the grant). Clients never log in: the token
/// is the whole authority, bound to the engagement, the purpose and an expiry. Single-use purposes (signing)
/// are recorded when used, so a replayed link changes nothing.
/// </summary>
public sealed class LinkSigner
{
    public static readonly IReadOnlySet<string> SingleUse = new HashSet<string>(StringComparer.Ordinal) { LinkPurposes.SignContract };

    private readonly byte[] _key;
    private readonly TableClient _table;
    private readonly TimeProvider _time;

    public LinkSigner(byte[] key, TableClient table, TimeProvider time)
    {
        if (key.Length < 32) throw new ArgumentException("The link-signing key needs at least 32 bytes.", nameof(key));
        _key = key;
        _table = table;
        _time = time;
    }

    /// <summary>Uses the configured key, or (locally) one generated once and kept in storage.</summary>
    public static async Task<LinkSigner> CreateAsync(string? configuredKey, StorageAccount storage, TimeProvider time, CancellationToken ct = default)
    {
        // The tenancy table (which also keeps single-use links) is created as the host starts; a generated key needs it now.
        var table = storage.Table(Tenancy.TenancyStore.TableName);
        if (!string.IsNullOrEmpty(configuredKey)) return new LinkSigner(Encoding.UTF8.GetBytes(configuredKey), table, time);
        await table.CreateIfNotExistsAsync(ct);
        var generated = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        try { await table.AddEntityAsync(new TableEntity("settings", "link-signing-key") { ["Key"] = generated }, ct); }
        catch (RequestFailedException ex) when (ex.Status == 409) { }
        var stored = await table.GetEntityAsync<TableEntity>("settings", "link-signing-key", cancellationToken: ct);
        return new LinkSigner(Convert.FromBase64String(stored.Value.GetString("Key")), table, time);
    }

    /// <summary>A link for one request (a sign-in, a copy of one's data): a random nonce, valid for <paramref name="lifetime"/> from now.</summary>
    public string Sign(string engagementId, string purpose, string? reference, TimeSpan lifetime) =>
        Sign(new LinkGrant(engagementId, purpose, reference, _time.GetUtcNow() + lifetime, Base64Url(RandomNumberGenerator.GetBytes(12))));

    /// <summary>
    /// The link an effect's email carries: its nonce is derived from <paramref name="effectId"/> (an HMAC with the signing
    /// key, so nobody without the key can tell it from a random one) and the caller gives the expiry, so every attempt at
    /// the same effect signs the same token.
    /// </summary>
    /// <remarks>
    /// A repeat of the effect is the same link, and a single-use link used from the first copy is used in the repeat too;
    /// another effect (a resent contract) gets another nonce, so a link of its own.
    /// </remarks>
    public string SignForEffect(string effectId, string engagementId, string purpose, string? reference, DateTimeOffset expiresAt) =>
        Sign(new LinkGrant(engagementId, purpose, reference, expiresAt, Base64Url(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"link-nonce\n{effectId}"))[..12])));

    private string Sign(LinkGrant grant)
    {
        var payload = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(grant));
        return $"{Base64Url(payload)}.{Base64Url(HMACSHA256.HashData(_key, payload))}";
    }

    /// <summary>Checks a token: well-formed, signed by us, not expired, and (single-use) not used.</summary>
    public async Task<(LinkGrant? Grant, LinkProblem Problem)> CheckAsync(string? token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2000) return (null, LinkProblem.Malformed);
        var parts = token.Split('.');
        if (parts.Length != 2 || FromBase64Url(parts[0]) is not { } payload || FromBase64Url(parts[1]) is not { } signature) return (null, LinkProblem.Malformed);
        if (!CryptographicOperations.FixedTimeEquals(signature, HMACSHA256.HashData(_key, payload))) return (null, LinkProblem.Forged);
        LinkGrant? grant;
        try { grant = JsonSerializer.Deserialize<LinkGrant>(payload); }
        catch (JsonException) { return (null, LinkProblem.Malformed); }
        if (grant is null) return (null, LinkProblem.Malformed);
        if (grant.ExpiresAt <= _time.GetUtcNow()) return (grant, LinkProblem.Expired);
        if (SingleUse.Contains(grant.Purpose) && (await _table.GetEntityIfExistsAsync<TableEntity>("used-link", grant.Nonce, cancellationToken: ct)).HasValue)
            return (grant, LinkProblem.Used);
        return (grant, LinkProblem.None);
    }

    /// <summary>Records a single-use link as used; false when it already was.</summary>
    public async Task<bool> MarkUsedAsync(LinkGrant grant, CancellationToken ct)
    {
        if (!SingleUse.Contains(grant.Purpose)) return true;
        try
        {
            await _table.AddEntityAsync(new TableEntity("used-link", grant.Nonce) { ["EngagementId"] = grant.EngagementId, ["Purpose"] = grant.Purpose }, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    /// <summary>Forgets the single-use links of an engagement that were used (its erasure); returns how many records went.</summary>
    public async Task<int> ForgetEngagementAsync(string engagementId, CancellationToken ct)
    {
        var count = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {"used-link"} and EngagementId eq {engagementId}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: ct))
        {
            await _table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, ct);
            count++;
        }
        return count;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        s += (s.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        try { return Convert.FromBase64String(s); }
        catch (FormatException) { return null; }
    }
}
