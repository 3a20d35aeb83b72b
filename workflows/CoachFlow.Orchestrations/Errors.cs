namespace CoachFlow.Orchestrations;

/// <summary>Base of the errors a caller can act on (hosts map them to 4xx, never 5xx).</summary>
public abstract class WorkflowException(string message) : Exception(message);

/// <summary>No engagement (or document of one) with that id exists, it was erased, or the caller may not see it.</summary>
public sealed class EngagementNotFoundException(string engagementId)
    : WorkflowException($"No engagement with id '{engagementId}' exists.")
{
    /// <summary>The id asked for.</summary>
    public string EngagementId { get; } = engagementId;
}

/// <summary>An input, message or document that cannot be accepted as sent.</summary>
public sealed class BadInputException(string message) : WorkflowException(message);

/// <summary>An operation that does not apply to the engagement as it stands (e.g. an input to one that has ended).</summary>
public sealed class InvalidStatusException(string message) : WorkflowException(message);
