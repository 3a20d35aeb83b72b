using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;

namespace CoachFlow.Documents;

/// <summary>Who the document comes from: the firm's name and colour and the coach's name.</summary>
/// <param name="TimeZoneId">The zone times are shown in when the engagement names none (an IANA id); UTC when null.</param>
public sealed record Branding(string FirmName, string Color, string CoachName, string? TimeZoneId = null);

/// <summary>
/// Everything a document is built from, as plain data: the engagement's state and its events (oldest first),
/// its program, the firm's branding and when the document is written.
/// </summary>
public sealed record DocumentSource(
    EngagementState State,
    ImmutableList<EngagementEvent> Events,
    ProgramDefinition Program,
    Branding Branding,
    DateTimeOffset WrittenAt)
{
    /// <summary>The time zone the reader lives in: the latest session's, else the branding's, else UTC.</summary>
    public TimeZoneInfo Zone { get; } = ZoneOf(State, Branding);

    public IEnumerable<T> All<T>() where T : EngagementEvent => Events.OfType<T>();

    public T? Last<T>(Func<T, bool>? match = null) where T : EngagementEvent => Events.OfType<T>().LastOrDefault(e => match is null || match(e));

    private static TimeZoneInfo ZoneOf(EngagementState state, Branding branding)
    {
        foreach (var id in new[] { state.Sessions.LastOrDefault()?.TimeZoneId, branding.TimeZoneId })
            if (id is not null && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)) return zone;
        return TimeZoneInfo.Utc;
    }
}

/// <summary>Reads the events as the durable runtime stores them today (simple type name and web-style JSON).</summary>
public static class StoredEvents
{
    // WARNING: the shape the runtime writes events in (web defaults, enums by name). Keep in step with it.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static readonly ImmutableDictionary<string, Type> Types = new EngagementWorkflow().EventTypes.ToImmutableDictionary(t => t.Name);

    /// <summary>The engagement events among <paramref name="history"/>; runtime entries (types starting with <c>$</c>) are skipped.</summary>
    public static ImmutableList<EngagementEvent> Read(IEnumerable<(string Type, JsonElement Data)> history) =>
        [.. history.Where(h => Types.ContainsKey(h.Type)).Select(h => (EngagementEvent)h.Data.Deserialize(Types[h.Type], Json)!)];
}
