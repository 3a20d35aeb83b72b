using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Workflows.Engagements;

/// <summary>Sends one email. It carries a link for <see cref="LinkPurpose"/>, never the client's answers.</summary>
/// <param name="Kind">One of <see cref="EmailKinds"/>.</param>
/// <param name="To"><see cref="Recipients.Client"/>, <see cref="Recipients.Coach"/> or <see cref="Recipients.Sponsor"/>.</param>
/// <param name="Ref">What the email is about, e.g. <c>session-2</c>, an action id, <c>reminder-1</c>; with the kind it is unique per engagement.</param>
/// <remarks>
/// WARNING: stored (in step inputs and a snapshot's pending effects). Shipped versions also carried a <c>TemplateId</c>
/// that nothing read (templates follow <paramref name="Kind"/>): a stored one is ignored when read.
/// </remarks>
public sealed record SendEmail(string Kind, string To, string? LinkPurpose, string? Ref = null) : WorkflowEffect;

/// <summary>Stores a document (HTML and JSON) under the engagement's prefix, built from the engagement's events.</summary>
/// <param name="Kind">contract, contract-signature, intake-answers, pre-session-brief, pre-session-answers, session-agreement,
/// coach-private-notes, session-summary, reassessment-report, roi-summary, maintenance-plan, closing-summary, progress-report.</param>
/// <param name="Name">Unique within the engagement, e.g. <c>session-2-summary</c>.</param>
public sealed record WriteDocument(string Kind, string Name) : WorkflowEffect;

/// <summary>Tells the coach (in the extension) that something needs their attention.</summary>
public sealed record NotifyCoach(string Kind, string? Ref = null) : WorkflowEffect;
