using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CoachFlow.Runtime;

/// <summary>Row keys inside an instance's partition, and the other tables' keys.</summary>
internal static class Keys
{
    public const string State = "state";

    public static string Event(long version) => $"e{version:D10}";
    public static string Input(string idempotencyKey) => "i" + Hash(idempotencyKey);
    public static string Pending(long serial) => $"p{serial:D10}";
    public static string Timer(string timerId) => "t" + Hash(timerId);
    public static string Outbox(long step, int index) => $"o{step:D10}-{index:D3}";
    public static string EffectId(string instanceId, string outboxRowKey) => $"{instanceId}/{outboxRowKey}";

    /// <summary>Timer table partition: the due minute, so a scan reads only what is due.</summary>
    public static string DueBucket(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
    public static string TimerIndexRow(string instanceId, string timerRowKey, long generation) => $"{instanceId}|{timerRowKey}|{generation}";
    public static string RetryIndexRow(string instanceId, string outboxRowKey) => $"{instanceId}|{outboxRowKey}|retry";

    /// <summary>Prefix range filter on RowKey inside one partition.</summary>
    public static string Range(string partitionKey, char prefix) =>
        $"PartitionKey eq '{Escape(partitionKey)}' and RowKey ge '{prefix}' and RowKey lt '{(char)(prefix + 1)}'";

    public static string Escape(string value) => value.Replace("'", "''", StringComparison.Ordinal);

    public static string Hash(string value)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(value));
        return Convert.ToBase64String(bytes, 0, 18).Replace('+', '-').Replace('/', '_');
    }

    public static string Sha256Hex(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    /// <summary>Instance ids become partition keys and blob prefixes: keep them to a safe alphabet.</summary>
    public static void ValidateInstanceId(string instanceId)
    {
        if (string.IsNullOrWhiteSpace(instanceId) || instanceId.Length > 100
            || !instanceId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new BadInputException("An engagement id is 1–100 characters: letters, digits, '-', '_' or '.'.");
    }
}
