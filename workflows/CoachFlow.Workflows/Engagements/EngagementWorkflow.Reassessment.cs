using CoachFlow.Workflows.Programs;
using CoachFlow.Workflows.Reassessments;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Workflows.Engagements;

// Periodic reassessment: ratings against the baseline and the previous one, flags, the coach's review.
public sealed partial class EngagementWorkflow
{
    private Decision<EngagementEvent> ReassessmentReminder(EngagementState s, DateTimeOffset now)
    {
        var program = ProgramOf(s);
        if (!IsActive(s.Phase) || s.Reassessments.LastOrDefault() is not { CompletedAt: null } pending
            || pending.Reminders >= program.Reminders.MaxReminders)
            return Decision<EngagementEvent>.None;
        var number = pending.Reminders + 1;
        List<WorkflowEffect> effects = [Email(EmailKinds.ReassessmentReminder, Recipients.Client, LinkPurposes.Reassessment, $"reassessment-{pending.Number}-reminder-{number}")];
        if (number < program.Reminders.MaxReminders)
            effects.Add(new SetTimer(TimerIds.ReassessmentReminder, now + program.Reminders.ReassessmentReminderAfter));
        return Apply([new ReassessmentReminderSent(s.EngagementId, pending.Number, now)], effects);
    }

    private Decision<EngagementEvent> SubmitReassessment(EngagementState s, SubmitReassessment submit, DateTimeOffset now)
    {
        if (s.Reassessment(submit.Number) is not { } record) return Reject(s, submit, $"reassessment {submit.Number} has not been requested");
        if (record.CompletedAt is not null) return Decision<EngagementEvent>.None;

        var items = ProgramOf(s).Questionnaires.Reassessment.RatingItems.ToList();
        var missing = items.Where(i => !submit.Ratings.Exists(r => r.ItemId == i.Id && r.Score is >= 1 and <= 10)).Select(i => i.Id).ToList();
        if (missing.Count > 0) return Reject(s, submit, $"these ratings are missing or out of range: {string.Join(", ", missing)}");

        var previous = s.Reassessments.LastOrDefault(r => r.Ratings is not null)?.Ratings;
        var deltas = RatingComparison.Deltas(submit.Ratings, s.Baseline, previous);
        List<EngagementEvent> events = [new ReassessmentCompleted(s.EngagementId, submit.Number, record.Final, deltas, submit.Indicators, submit.Outcomes, now)];
        List<WorkflowEffect> effects =
        [
            new CancelTimer(TimerIds.ReassessmentReminder),
            new WriteDocument(record.Final ? "roi-summary" : "reassessment-report", $"reassessment-{submit.Number}-report"),
            new NotifyCoach("reassessment-ready", $"reassessment-{submit.Number}"),
            .. SponsorReport(s, SponsorReports.AfterEachReassessment, $"reassessment-{submit.Number}"),
        ];
        var stalled = RatingComparison.IsStalled(deltas);
        if (stalled && !s.HasFlag(FlagNames.StalledProgress))
        {
            events.Add(new FlagRaised(s.EngagementId, FlagNames.StalledProgress, $"reassessment-{submit.Number}", now));
            effects.Add(new NotifyCoach(FlagNames.StalledProgress, $"reassessment-{submit.Number}"));
        }
        else if (!stalled)
        {
            events.AddRange(s.Flags.Where(f => f.Name == FlagNames.StalledProgress)
                .Select(f => new FlagCleared(s.EngagementId, f.Name, f.Subject, now)));
        }
        return Apply(events, effects);
    }

    /// <summary>
    /// When the program's cadence calls for it at this <paramref name="moment"/> and the engagement has a sponsor:
    /// the progress report is stored and the sponsor gets a link to it (progress only, never answers or notes).
    /// </summary>
    private IEnumerable<WorkflowEffect> SponsorReport(EngagementState s, SponsorReports moment, string reference) =>
        s.SponsorId is null || ProgramOf(s).SponsorReports != moment
            ? []
            : [new WriteDocument("progress-report", $"progress-report-{reference}"), Email(EmailKinds.ProgressReport, Recipients.Sponsor, LinkPurposes.ProgressReport, reference)];

    private Decision<EngagementEvent> ReviewReassessment(EngagementState s, ReviewReassessment review, DateTimeOffset now)
    {
        if (s.Reassessment(review.Number) is not { } record) return Reject(s, review, $"reassessment {review.Number} has not been requested");
        if (record.ReviewedAt is not null) return Decision<EngagementEvent>.None;
        if (record.CompletedAt is null)
            return Decision<EngagementEvent>.Defer($"ReviewReassessment {review.Number} waits for the client's answers.");
        if (review.DroppedActionIds.FirstOrDefault(id => s.Action(id) is null) is { } unknown)
            return Reject(s, review, $"there is no action '{unknown}'");
        if (review.AmendmentNeeded && review.AmendedTerms is null)
            return Reject(s, review, "a contract amendment needs the amended terms");

        var program = ProgramOf(s);
        List<EngagementEvent> events =
        [
            new ReassessmentReviewed(s.EngagementId, review.Number, review.GoalUpdates, review.DroppedActionIds, review.AmendmentNeeded, now),
            .. s.Flags.Where(f => f.Name == FlagNames.GoalNotResonant && review.DroppedActionIds.Contains(f.Subject!))
                .Select(f => new FlagCleared(s.EngagementId, f.Name, f.Subject, now)),
        ];
        List<WorkflowEffect> effects =
        [
            .. review.DroppedActionIds.Select(id => new CancelTimer(TimerIds.ActionCheckIn(id))),
            Email(EmailKinds.GoalsUpdated, Recipients.Client, LinkPurposes.Goals, $"reassessment-{review.Number}"),
        ];
        if (review.AmendmentNeeded)
        {
            var version = s.ContractVersion + 1;
            events.Add(new ContractSent(s.EngagementId, version, program.ContractTemplateId, review.AmendedTerms!, now, now + program.Reminders.ContractExpiresAfter));
            effects.Add(new WriteDocument("contract", $"contract-v{version}"));
            effects.Add(Email(EmailKinds.ContractAmendment, Recipients.Client, LinkPurposes.SignContract, $"contract-v{version}"));
        }
        effects.Add(record.Final
            ? new NotifyCoach("maintenance-plan-due")
            : new SetTimer(TimerIds.CoachNudge, now + program.Reminders.CoachNudgeAfter));
        return Apply(events, effects);
    }
}
