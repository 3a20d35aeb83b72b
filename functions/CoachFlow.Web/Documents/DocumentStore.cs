using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs.Models;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Hosting;

namespace CoachFlow.Web.Documents;

/// <summary>A stored document: its HTML (what people see) and JSON (the data), and the SHA-256 of the HTML.</summary>
public sealed record StoredDocument(string Kind, string Name, string Html, string Json, string Sha256);

/// <summary>
/// Every document of an engagement lives under <c>instances/{id}/documents/</c> in the documents container,
/// so purging the engagement erases it. A document once written is never overwritten: a signed contract is
/// immutable and an amendment is a new name.
/// </summary>
public sealed class DocumentStore(StorageAccount storage)
{
    private static string Prefix(string engagementId) => $"instances/{engagementId}/documents/";

    public async Task WriteAsync(string engagementId, string kind, string name, string html, string json, CancellationToken ct)
    {
        var metadata = new Dictionary<string, string> { ["kind"] = kind, ["sha256"] = Sha256(html) };
        foreach (var (ext, content, type) in new[] { ("json", json, "application/json"), ("html", html, "text/html; charset=utf-8") })
        {
            var blob = storage.Documents.GetBlobClient($"{Prefix(engagementId)}{name}.{ext}");
            try
            {
                await blob.UploadAsync(BinaryData.FromString(content), new Azure.Storage.Blobs.Models.BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = type },
                    Metadata = metadata,
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                }, ct);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Written already (an effect that ran twice): documents are immutable, the first one stands.
            }
        }
    }

    public async Task<StoredDocument?> ReadAsync(string engagementId, string name, CancellationToken ct)
    {
        if (!IsSafeName(name)) return null;
        try
        {
            var html = await storage.Documents.GetBlobClient($"{Prefix(engagementId)}{name}.html").DownloadContentAsync(ct);
            var json = await storage.Documents.GetBlobClient($"{Prefix(engagementId)}{name}.json").DownloadContentAsync(ct);
            var text = html.Value.Content.ToString();
            return new StoredDocument(html.Value.Details.Metadata.TryGetValue("kind", out var k) ? k : "", name, text, json.Value.Content.ToString(), Sha256(text));
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// A stored document's <c>html</c> or <c>json</c> as a stream straight from storage (one request, read as it
    /// arrives), for copying without holding it (the data export); null when there is none.
    /// </summary>
    public async Task<Stream?> OpenReadAsync(string engagementId, string name, string extension, CancellationToken ct)
    {
        if (!IsSafeName(name) || extension is not ("html" or "json")) return null;
        try
        {
            var download = await storage.Documents.GetBlobClient($"{Prefix(engagementId)}{name}.{extension}").DownloadStreamingAsync(cancellationToken: ct);
            return download.Value.Content;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<DocumentLink>> ListAsync(string engagementId, CancellationToken ct)
    {
        var list = new List<DocumentLink>();
        await foreach (var blob in storage.Documents.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, Prefix(engagementId), ct))
        {
            if (!blob.Name.EndsWith(".html", StringComparison.Ordinal)) continue;
            var name = blob.Name[Prefix(engagementId).Length..^".html".Length];
            list.Add(new DocumentLink(blob.Metadata.TryGetValue("kind", out var kind) ? kind : "", name, $"/api/engagements/{engagementId}/documents/{name}"));
        }
        return list;
    }

    /// <summary>Deletes every document of an engagement (its erasure); returns how many blobs went.</summary>
    public async Task<int> PurgeAsync(string engagementId, CancellationToken ct)
    {
        var count = 0;
        await foreach (var blob in storage.Documents.GetBlobsAsync(BlobTraits.None, BlobStates.None, Prefix(engagementId), ct))
        {
            await storage.Documents.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: ct);
            count++;
        }
        return count;
    }

    public static bool IsSafeName(string name) => name.Length is > 0 and <= 100 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
