using System.Globalization;
using System.Text.Json.Nodes;
using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.Activities;
using CoachFlow.Orchestrations.Bulk;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Web.OutboundWebhooks;

/// <summary>The event types an endpoint subscribes to, as firms' systems know them.</summary>
/// <remarks>WARNING: receivers match on these strings. Never rename one; add a new type instead.</remarks>
public static class WebhookEventTypes
{
    public const string EngagementStarted = "engagement.started";
    public const string ContractSigned = "contract.signed";
    public const string IntakeCompleted = "intake.completed";
    /// <summary>Also for a reschedule, with <c>"rescheduled": true</c>.</summary>
    public const string SessionScheduled = "session.scheduled";
    public const string SessionHeld = "session.held";
    public const string ReassessmentCompleted = "reassessment.completed";
    public const string FlagRaised = "flag.raised";
    public const string FlagCleared = "flag.cleared";
    public const string EngagementGraduated = "engagement.graduated";
    public const string EngagementEnded = "engagement.ended";
    public const string EngagementClosed = "engagement.closed";
    public const string BulkActionFinished = "bulk-action.finished";

    public static readonly IReadOnlyList<string> All =
    [
        EngagementStarted, ContractSigned, IntakeCompleted, SessionScheduled, SessionHeld, ReassessmentCompleted, FlagRaised, FlagCleared,
        EngagementGraduated, EngagementEnded, EngagementClosed, BulkActionFinished,
    ];
}

/// <summary>One event as it leaves CoachFlow: its type, its stream (the engagement, or <see cref="WebhookEvents.FirmStream"/>) and the JSON body.</summary>
/// <param name="Version">The engagement version of the event (unique and ordered per engagement); 0 for a firm-level event.</param>
public sealed record WebhookEvent(string Type, string Stream, long Version, string? EngagementId, string? BulkActionId, DateTimeOffset Timestamp, string Body);

/// <summary>
/// Turns what the engine recorded into webhook events: a pure function of the step, every payload field written out
/// from typed ids, times and counts. A domain event is never serialized as it is: it holds the client's name and email,
/// answers, notes and reasons, none of which may leave CoachFlow this way.
/// </summary>
public static class WebhookEvents
{
    /// <summary>The stream of events that belong to the firm rather than one engagement (bulk actions).</summary>
    public const string FirmStream = "firm";

    /// <summary>The webhook events of a step, in the order of its events (none for most steps: reminders, emails, answers saved).</summary>
    public static IReadOnlyList<WebhookEvent> FromStep(StepRecord step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var events = new List<WebhookEvent>();
        for (var i = 0; i < step.Events.Count; i++)
        {
            var version = step.FromVersion + i + 1;
            if (Map(EngagementCodec.Open<EngagementEvent>(step.Events[i]), step) is not { } mapped) continue;
            var (type, data) = mapped;
            var common = new JsonObject
            {
                ["firmId"] = step.Projection.FirmId,
                ["engagementId"] = step.EngagementId,
                ["engagementVersion"] = version,
                ["phase"] = step.Projection.Phase,
                ["programId"] = step.State.ProgramId,
                ["coachId"] = step.State.CoachId,
                ["clientId"] = step.State.ClientId,
                ["sponsorId"] = step.State.SponsorId,
                ["cohortId"] = step.State.CohortId,
            };
            foreach (var name in data.Select(field => field.Key).ToList())
            {
                var value = data[name];
                data.Remove(name); // a node has one parent: moved, not shared
                common[name] = value;
            }
            events.Add(new WebhookEvent(type, step.EngagementId, version, step.EngagementId, null, step.At, Body(type, step.At, common)));
        }
        return events;
    }

    /// <summary>The event a finished bulk action sends: its id, action and counts.</summary>
    public static WebhookEvent FromBulkAction(BulkActionRecord action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var at = action.FinishedAt ?? throw new ArgumentException("The bulk action has not finished.", nameof(action));
        var data = new JsonObject
        {
            ["firmId"] = action.FirmId,
            ["bulkActionId"] = action.ActionId,
            ["action"] = action.Action,
            ["selected"] = action.Selected,
            ["applied"] = action.Applied,
            ["deferred"] = action.Deferred,
            ["rejected"] = action.Rejected,
            ["skipped"] = action.Skipped,
            ["pending"] = action.Pending,
            ["finishedAt"] = Time(at),
        };
        return new WebhookEvent(WebhookEventTypes.BulkActionFinished, FirmStream, 0, null, action.ActionId, at, Body(WebhookEventTypes.BulkActionFinished, at, data));
    }

    /// <summary>The type and the fields of its own that a domain event carries out; null for events no webhook sends.</summary>
    private static (string Type, JsonObject Data)? Map(EngagementEvent e, StepRecord step) => e switch
    {
        EngagementStarted s => (WebhookEventTypes.EngagementStarted, new JsonObject { ["startedAt"] = Time(s.StartedAt) }),
        ContractSigned s => (WebhookEventTypes.ContractSigned, new JsonObject { ["contractVersion"] = s.ContractVersion, ["signedAt"] = Time(s.SignedAt) }),
        IntakeCompleted s => (WebhookEventTypes.IntakeCompleted, new JsonObject { ["completedAt"] = Time(s.CompletedAt) }),
        SessionScheduled s => (WebhookEventTypes.SessionScheduled, new JsonObject
        {
            ["sessionNumber"] = s.Number, ["startAt"] = Time(s.StartAt), ["rescheduled"] = false, ["scheduledAt"] = Time(s.ScheduledAt),
        }),
        SessionRescheduled s => (WebhookEventTypes.SessionScheduled, new JsonObject
        {
            ["sessionNumber"] = s.Number, ["startAt"] = Time(s.StartAt), ["rescheduled"] = true, ["scheduledAt"] = Time(s.RescheduledAt),
        }),
        SessionHeld s => (WebhookEventTypes.SessionHeld, new JsonObject
        {
            ["sessionNumber"] = s.Number, ["heldAt"] = Time(s.HeldAt), ["sessionsHeld"] = step.State.SessionsHeld,
        }),
        ReassessmentCompleted s => (WebhookEventTypes.ReassessmentCompleted, new JsonObject
        {
            ["reassessmentNumber"] = s.Number, ["final"] = s.Final, ["completedAt"] = Time(s.CompletedAt),
        }),
        FlagRaised s => (WebhookEventTypes.FlagRaised, new JsonObject { ["flag"] = s.Flag, ["subject"] = SubjectId(s.Subject), ["raisedAt"] = Time(s.RaisedAt) }),
        FlagCleared s => (WebhookEventTypes.FlagCleared, new JsonObject { ["flag"] = s.Flag, ["subject"] = SubjectId(s.Subject), ["clearedAt"] = Time(s.ClearedAt) }),
        Graduated s => (WebhookEventTypes.EngagementGraduated, new JsonObject
        {
            ["graduatedAt"] = Time(s.GraduatedAt), ["maintenanceEndsAt"] = Time(s.MaintenanceEndsAt), ["sessionsHeld"] = step.State.SessionsHeld,
        }),
        // Who ended it, never why: the reason is the coach's or the client's own words.
        EngagementEnded s => (WebhookEventTypes.EngagementEnded, new JsonObject
        {
            ["by"] = s.By == Party.Client ? "client" : "coach", ["endedAt"] = Time(s.EndedAt), ["sessionsHeld"] = step.State.SessionsHeld,
        }),
        EngagementClosed s => (WebhookEventTypes.EngagementClosed, new JsonObject { ["closedAt"] = Time(s.ClosedAt), ["sessionsHeld"] = step.State.SessionsHeld }),
        _ => null,
    };

    /// <summary>A flag's subject is an id (an action, a reassessment, a maintenance check, a bounce's event name); anything else is left out.</summary>
    private static string? SubjectId(string? subject) =>
        subject is { Length: > 0 and <= 100 } && subject.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ':' or '.') ? subject : null;

    /// <summary>ISO 8601 in UTC to the millisecond, e.g. <c>2026-12-01T09:00:00.000Z</c>.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Body(string type, DateTimeOffset at, JsonObject data) =>
        new JsonObject { ["type"] = type, ["timestamp"] = Time(at), ["data"] = data }.ToJsonString();
}
