using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Workflows.Engagements;

// Contract signing: the start, reminders while unsigned, expiry, resends, and the signature (which sends the intake).
public sealed partial class EngagementWorkflow
{
    private Decision<EngagementEvent> Start(EngagementState s, StartEngagement start, DateTimeOffset now)
    {
        var program = programs.Find(start.ProgramId, start.ProgramVersion);
        if (program is null)
            return Reject(s, start, $"there is no program '{start.ProgramId}'{(start.ProgramVersion is int v ? $" version {v}" : "")}");
        var expiresAt = now + program.Reminders.ContractExpiresAfter;
        var started = new EngagementStarted(s.EngagementId, start.FirmId, start.CoachId, start.ClientId, start.ClientName, start.ClientEmail,
            program.Id, program.Version, start.Terms, now, start.SponsorId, start.CohortId, start.ClientTimeZone);
        var pinned = Evolve(s, started);
        List<EngagementEvent> events = [started, new ContractSent(s.EngagementId, 1, program.ContractTemplateId, start.Terms, now, expiresAt)];
        if (start.FollowUpOf is { } previous) events.Add(new PreviousEngagementLinked(s.EngagementId, previous, now));
        return Decision<EngagementEvent>.Apply(
            events,
            new WriteDocument("contract", "contract-v1"),
            Email(EmailKinds.ContractInvitation, Recipients.Client, LinkPurposes.SignContract, "contract-v1"),
            new SetTimer(TimerIds.ContractReminder, now + program.Reminders.ContractReminderEvery),
            new SetTimer(TimerIds.ContractExpiry, expiresAt));
    }

    private Decision<EngagementEvent> ContractReminder(EngagementState s, DateTimeOffset now)
    {
        if (s.Phase != EngagementPhase.Contract) return Decision<EngagementEvent>.None;
        var program = ProgramOf(s);
        var number = s.ContractReminders + 1;
        var next = now + program.Reminders.ContractReminderEvery;
        List<WorkflowEffect> effects = [Email(EmailKinds.ContractReminder, Recipients.Client, LinkPurposes.SignContract, $"v{s.ContractVersion}-send-{s.ContractSends}-reminder-{number}")];
        if (next < s.ContractExpiresAt) effects.Add(new SetTimer(TimerIds.ContractReminder, next));
        return Apply([new ContractReminderSent(s.EngagementId, number, now)], effects);
    }

    private Decision<EngagementEvent> ContractExpiry(EngagementState s, DateTimeOffset now) =>
        s.Phase == EngagementPhase.Contract
            ? Decision<EngagementEvent>.Apply(
                [new ContractExpired(s.EngagementId, s.ContractVersion, now)],
                new CancelTimer(TimerIds.ContractReminder), new NotifyCoach("contract-expired"))
            : Decision<EngagementEvent>.None;

    private Decision<EngagementEvent> Resend(EngagementState s, WorkflowInput input, DateTimeOffset now)
    {
        if (s.Phase is not (EngagementPhase.Contract or EngagementPhase.ContractExpired))
            return Reject(s, input, "the contract is already signed");
        var program = ProgramOf(s);
        var expiresAt = now + program.Reminders.ContractExpiresAfter;
        return Decision<EngagementEvent>.Apply(
            [new ContractSent(s.EngagementId, s.ContractVersion, program.ContractTemplateId, s.Terms!, now, expiresAt)],
            Email(EmailKinds.ContractInvitation, Recipients.Client, LinkPurposes.SignContract, $"contract-v{s.ContractVersion}-resend-{s.ContractSends}"),
            new SetTimer(TimerIds.ContractReminder, now + program.Reminders.ContractReminderEvery),
            new SetTimer(TimerIds.ContractExpiry, expiresAt));
    }

    private Decision<EngagementEvent> Sign(EngagementState s, SignContract sign, DateTimeOffset now)
    {
        if (sign.ContractVersion <= s.SignedContractVersion) return Decision<EngagementEvent>.None;
        if (s.Phase == EngagementPhase.ContractExpired) return Reject(s, sign, "the contract expired; the coach can send it again");
        if (sign.ContractVersion != s.ContractVersion)
            return Reject(s, sign, $"version {sign.ContractVersion} is not the version on offer ({s.ContractVersion})");
        if (!sign.Consent || string.IsNullOrWhiteSpace(sign.FullName))
            return Reject(s, sign, "a signature needs the client's typed full name and consent");
        if (string.IsNullOrWhiteSpace(sign.DocumentSha256))
            return Reject(s, sign, "a signature needs the SHA-256 of the document shown");

        var program = ProgramOf(s);
        var signed = new ContractSigned(s.EngagementId, sign.ContractVersion, sign.FullName.Trim(), sign.IpAddress, sign.UserAgent, sign.DocumentSha256, now);
        List<EngagementEvent> events = [signed];
        List<WorkflowEffect> effects =
        [
            new CancelTimer(TimerIds.ContractReminder),
            new CancelTimer(TimerIds.ContractExpiry),
            new WriteDocument("contract-signature", $"contract-v{sign.ContractVersion}-signature"),
            new NotifyCoach("contract-signed", $"contract-v{sign.ContractVersion}"),
        ];
        if (s.Phase == EngagementPhase.Contract)
        {
            events.Add(new IntakeSent(s.EngagementId, program.Questionnaires.Intake.Id, now, now + program.Reminders.IntakeDueAfter));
            effects.Add(Email(EmailKinds.IntakeInvitation, Recipients.Client, LinkPurposes.Intake, "intake"));
            effects.Add(new SetTimer(TimerIds.IntakeReminder, now + program.Reminders.IntakeReminderEvery));
        }
        return Apply(events, effects);
    }
}
