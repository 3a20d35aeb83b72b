using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Orchestrations;

/// <summary>
/// One input, event or effect as it travels through the engine and sits in the read model: its type's stored
/// name and its JSON. Orchestration payloads hold envelopes instead of polymorphic objects, so they read the
/// same under any host's serializer settings.
/// </summary>
public sealed record Envelope(string Type, string Json);

/// <summary>
/// Turns the engagement's inputs, events and effects into envelopes and back. A type's stored name is its
/// simple name (the names the earlier runtime stored too).
/// </summary>
/// <remarks>WARNING: stored names and shapes are in histories and tables. Never rename or reshape a type that has shipped.</remarks>
public static class EngagementCodec
{
    /// <summary>How engagement data is written: web defaults, enums by name.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static readonly FrozenDictionary<string, Type> Types = Known().ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);

    private static IEnumerable<Type> Known()
    {
        var workflow = new EngagementWorkflow();
        return workflow.InputTypes.Concat(workflow.EventTypes).Concat(workflow.EffectTypes)
            .Concat([typeof(TimerFired), typeof(SetTimer), typeof(CancelTimer), typeof(RedriveEffects)]);
    }

    public static Envelope Wrap(object value)
    {
        var type = value.GetType();
        if (!Types.ContainsKey(type.Name)) throw new ArgumentException($"{type.Name} is not an engagement input, event or effect.", nameof(value));
        return new Envelope(type.Name, JsonSerializer.Serialize(value, type, Json));
    }

    public static T Open<T>(Envelope envelope) where T : class
    {
        if (!Types.TryGetValue(envelope.Type, out var type) || !typeof(T).IsAssignableFrom(type))
            throw new InvalidDataException($"'{envelope.Type}' is not a known {typeof(T).Name}.");
        return (T)(JsonSerializer.Deserialize(envelope.Json, type, Json) ?? throw new InvalidDataException($"An empty {envelope.Type}."));
    }

    /// <summary>Whether <paramref name="type"/> names an input a caller may send (not an event or effect).</summary>
    public static bool IsInput(string type) => Types.TryGetValue(type, out var t) && typeof(WorkflowInput).IsAssignableFrom(t) && t != typeof(TimerFired);
}

/// <summary>An operator asks for the parked effects of an engagement to be run again (after fixing the cause).</summary>
public sealed record RedriveEffects : WorkflowInput;
