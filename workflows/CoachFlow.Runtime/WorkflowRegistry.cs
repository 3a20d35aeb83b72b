using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Runtime;

/// <summary>The definitions this host can run, by name and version.</summary>
public sealed class WorkflowRegistry
{
    private readonly Dictionary<(string Name, int Version), IWorkflowAdapter> _byVersion = [];

    /// <summary>Registers one version of a definition.</summary>
    public WorkflowRegistry Add<TState, TEvent>(WorkflowDefinition<TState, TEvent> definition)
        where TState : class where TEvent : class
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!_byVersion.TryAdd((definition.Name, definition.Version), new WorkflowAdapter<TState, TEvent>(definition)))
            throw new InvalidOperationException($"Definition {definition.Name} v{definition.Version} is registered twice.");
        return this;
    }

    internal IWorkflowAdapter Get(string name, int version) =>
        _byVersion.TryGetValue((name, version), out var adapter)
            ? adapter
            : throw new UnknownDefinitionException($"No workflow definition '{name}' version {version} is registered on this host.");

    internal IWorkflowAdapter Latest(string name) =>
        _byVersion.Where(kv => kv.Key.Name == name).OrderByDescending(kv => kv.Key.Version).Select(kv => kv.Value).FirstOrDefault()
        ?? throw new UnknownDefinitionException($"No workflow definition named '{name}' is registered on this host.");
}

/// <summary>A definition seen through JSON, so the runtime can store and load any of them.</summary>
internal interface IWorkflowAdapter
{
    string Name { get; }
    int Version { get; }
    JsonSerializerOptions Json { get; }
    object Initial(string instanceId);
    AdaptedDecision Decide(object state, WorkflowInput input, DateTimeOffset now);
    object Evolve(object state, object @event);
    InstanceProjection Project(object state);
    string SerializeState(object state);
    object DeserializeState(string json);
    string SerializeEvent(object @event);
    object DeserializeEvent(string json);
    string SerializeInput(WorkflowInput input);
    WorkflowInput DeserializeInput(string json);
    string SerializeEffect(WorkflowEffect effect);
    WorkflowEffect DeserializeEffect(string json);
    object? Migrate(int fromVersion, JsonElement oldState);
}

internal sealed record AdaptedDecision(IReadOnlyList<object> Events, IReadOnlyList<WorkflowEffect> Effects, DecisionKind Kind, string? Reason);

internal sealed class WorkflowAdapter<TState, TEvent> : IWorkflowAdapter where TState : class where TEvent : class
{
    private readonly WorkflowDefinition<TState, TEvent> _definition;

    public WorkflowAdapter(WorkflowDefinition<TState, TEvent> definition)
    {
        _definition = definition;
        // WARNING: a stored event, input or effect is found again by its type's simple name ("$type").
        // Never rename or reshape a type that has been stored: add a new type (or an upcaster) instead.
        var resolver = new DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(info =>
        {
            if (info.Type == typeof(TEvent)) Polymorphic(info, definition.EventTypes);
            else if (info.Type == typeof(WorkflowInput)) Polymorphic(info, [typeof(TimerFired), .. definition.InputTypes]);
            else if (info.Type == typeof(WorkflowEffect)) Polymorphic(info, [typeof(SetTimer), typeof(CancelTimer), .. definition.EffectTypes]);
        });
        Json = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            TypeInfoResolver = definition.TypeInfoResolver is { } extra ? JsonTypeInfoResolver.Combine(extra, resolver) : resolver,
            Converters = { new JsonStringEnumConverter() },
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        Json.MakeReadOnly(populateMissingResolver: false);
    }

    private static void Polymorphic(JsonTypeInfo info, IEnumerable<Type> derived)
    {
        info.PolymorphismOptions = new JsonPolymorphismOptions
        {
            TypeDiscriminatorPropertyName = "$type",
            UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization,
        };
        foreach (var type in derived.Distinct())
            info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(type, type.Name));
    }

    public string Name => _definition.Name;
    public int Version => _definition.Version;
    public JsonSerializerOptions Json { get; }

    public object Initial(string instanceId) => _definition.Initial(instanceId);

    public AdaptedDecision Decide(object state, WorkflowInput input, DateTimeOffset now)
    {
        var d = _definition.Decide((TState)state, input, now);
        return new AdaptedDecision(d.Events, d.Effects, d.Kind, d.Reason);
    }

    public object Evolve(object state, object @event) => _definition.Evolve((TState)state, (TEvent)@event);
    public InstanceProjection Project(object state) => _definition.Project((TState)state);
    public string SerializeState(object state) => JsonSerializer.Serialize((TState)state, Json);
    public object DeserializeState(string json) => JsonSerializer.Deserialize<TState>(json, Json) ?? throw new JsonException("empty state");
    public string SerializeEvent(object @event) => JsonSerializer.Serialize((TEvent)@event, Json);
    public object DeserializeEvent(string json) => JsonSerializer.Deserialize<TEvent>(json, Json) ?? throw new JsonException("empty event");
    public string SerializeInput(WorkflowInput input) => JsonSerializer.Serialize(input, Json);
    public WorkflowInput DeserializeInput(string json) => JsonSerializer.Deserialize<WorkflowInput>(json, Json) ?? throw new JsonException("empty input");
    public string SerializeEffect(WorkflowEffect effect) => JsonSerializer.Serialize(effect, Json);
    public WorkflowEffect DeserializeEffect(string json) => JsonSerializer.Deserialize<WorkflowEffect>(json, Json) ?? throw new JsonException("empty effect");
    public object? Migrate(int fromVersion, JsonElement oldState) => _definition.Migrate(fromVersion, oldState, Json);
}
