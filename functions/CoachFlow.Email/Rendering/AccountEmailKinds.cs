using System.Collections.Immutable;

namespace CoachFlow.Email.Rendering;

/// <summary>
/// Email kinds no program sends: they are sent straight from a request (a firm admin or sponsor signing in, a coach
/// sending a client the link to their data), so they are not in the engagement vocabulary (<c>EmailKinds</c>) that
/// programs map to templates.
/// </summary>
public static class AccountEmailKinds
{
    /// <summary>A one-time link that signs a firm admin or sponsor in to the firm dashboard.</summary>
    public const string FirmSignIn = "firm-sign-in";

    /// <summary>A link to the page where a client downloads their own copy of their data (sent when their coach asks).</summary>
    public const string ClientDataExport = "client-data-export";

    /// <summary>To every firm admin: a webhook endpoint kept failing and CoachFlow turned it off (its URL, since when, the last answer, how to turn it on).</summary>
    public const string WebhookEndpointDisabled = "webhook-endpoint-disabled";

    /// <summary>To every firm admin: the engine parked a step of an engagement (its id, since when, why, how to redrive it); no client content.</summary>
    public const string EngagementStepParked = "engagement-step-parked";

    /// <summary>To every firm admin: nothing was running an engagement (its orchestration failed, was terminated or is missing) and the engine started it again from its record; no client content.</summary>
    public const string EngagementRepaired = "engagement-repaired";

    public static readonly ImmutableList<string> All = [FirmSignIn, ClientDataExport, WebhookEndpointDisabled, EngagementStepParked, EngagementRepaired];
}
