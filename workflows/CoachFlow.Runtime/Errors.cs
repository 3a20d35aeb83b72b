namespace CoachFlow.Runtime;

/// <summary>Base of the runtime's errors that a caller can act on (they map to 4xx, never 5xx).</summary>
public abstract class WorkflowException(string message) : Exception(message);

/// <summary>No instance with that id exists (or it was purged).</summary>
public sealed class InstanceNotFoundException(string instanceId)
    : WorkflowException($"No engagement with id '{instanceId}' exists.")
{
    /// <summary>The id asked for.</summary>
    public string InstanceId { get; } = instanceId;
}

/// <summary>Starting an instance whose id is taken by a different start.</summary>
public sealed class InstanceAlreadyExistsException(string instanceId)
    : WorkflowException($"An engagement with id '{instanceId}' already exists.");

/// <summary>The definition or version is not registered on this host.</summary>
public sealed class UnknownDefinitionException(string message) : WorkflowException(message);

/// <summary>The caller's expected version is not the instance's current version.</summary>
public sealed class StaleVersionException(string instanceId, long expected, long actual)
    : WorkflowException($"Engagement '{instanceId}' is at version {actual}, not {expected}; reload it and try again.");

/// <summary>An input, message or document that cannot be accepted as sent.</summary>
public sealed class BadInputException(string message) : WorkflowException(message);

/// <summary>An operation that does not apply to the instance's status (e.g. resuming a running one).</summary>
public sealed class InvalidStatusException(string message) : WorkflowException(message);
