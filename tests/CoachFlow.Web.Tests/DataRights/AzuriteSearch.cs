using System.IO.Compression;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace CoachFlow.Web.Tests.DataRights;

/// <summary>
/// Reads everything a storage account holds, whoever wrote it (CoachFlow, the Durable Task engine, Data Protection): every
/// entity of every table, every message that can be seen in every queue, every blob of every container (gzip-compressed
/// blobs, as the engine writes large messages, are unpacked; base64 queue messages are decoded) and says where a string is.
/// </summary>
/// <remarks>
/// Messages that are invisible (a durable timer's, a delayed batch's) cannot be peeked; the engine's timer messages hold
/// only a timer's id and time. Strings are compared without regard to case; search for ASCII text, since JSON writers escape
/// other characters.
/// </remarks>
public static class AzuriteSearch
{
    public static async Task<IReadOnlyList<string>> FindAsync(string connectionString, IReadOnlyCollection<string> needles)
    {
        var hits = new List<string>();
        void Look(string where, string text)
        {
            foreach (var needle in needles)
                if (text.Contains(needle, StringComparison.OrdinalIgnoreCase)) hits.Add($"'{needle}' in {where}");
        }

        var tables = new TableServiceClient(connectionString);
        await foreach (var table in tables.QueryAsync())
        {
            await foreach (var entity in tables.GetTableClient(table.Name).QueryAsync<TableEntity>())
                foreach (var (key, value) in entity)
                    Look($"table {table.Name} ({entity.PartitionKey} / {entity.RowKey}).{key}", value switch
                    {
                        string s => s,
                        byte[] b => Text(b),
                        BinaryData d => Text(d.ToArray()),
                        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
                    });
        }

        var queues = new QueueServiceClient(connectionString);
        await foreach (var queue in queues.GetQueuesAsync())
        {
            foreach (var message in (await queues.GetQueueClient(queue.Name).PeekMessagesAsync(32)).Value)
            {
                var body = message.Body.ToString();
                Look($"queue {queue.Name} message {message.MessageId}", body + "\n" + Base64Text(body));
            }
        }

        var blobs = new BlobServiceClient(connectionString);
        await foreach (var container in blobs.GetBlobContainersAsync())
        {
            var client = blobs.GetBlobContainerClient(container.Name);
            await foreach (var blob in client.GetBlobsAsync())
            {
                Look($"blob {container.Name}/{blob.Name} (name)", blob.Name);
                var content = (await client.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray();
                Look($"blob {container.Name}/{blob.Name}", Text(content));
            }
        }
        return hits;
    }

    /// <summary>UTF-8 text of the bytes, unpacked first when they are gzip.</summary>
    private static string Text(byte[] bytes)
    {
        if (bytes is [0x1f, 0x8b, ..])
        {
            using var unpacked = new MemoryStream();
            using (var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress)) gzip.CopyTo(unpacked);
            bytes = unpacked.ToArray();
        }
        return Encoding.UTF8.GetString(bytes);
    }

    private static string Base64Text(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text.Trim(), buffer, out var written) ? Text(buffer[..written]) : "";
    }
}
