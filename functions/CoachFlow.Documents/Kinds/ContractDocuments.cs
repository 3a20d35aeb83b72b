using CoachFlow.Workflows.Engagements;
using static CoachFlow.Documents.Reading;

namespace CoachFlow.Documents.Kinds;

/// <summary>The coaching agreement the client signs, and the record of their signature.</summary>
internal static class ContractDocuments
{
    public static ReaderDocument Contract(DocumentSource s, int version)
    {
        var sent = s.Last<ContractSent>(e => e.ContractVersion == version)
            ?? throw new InvalidOperationException($"Engagement {s.State.EngagementId} has no contract version {version}.");
        var t = sent.Terms;
        var p = s.Program;
        var b = s.Branding;
        List<Section> sections =
        [
            new("1. What we will do together",
            [
                new Para($"{Count(p.SessionCount, "one-to-one session", "one-to-one sessions")} of {Workflows.Programs.Durations.InWords(p.SessionLengthFor(t))} each, about {Cadence(p.SessionCadence)}. " +
                    "Between sessions you receive a short summary of what we agreed, check-ins on the actions you chose, and a reminder before each session. " +
                    "Every few sessions we take stock together, and at the end you leave with your own plan for keeping the progress going."),
            ]),
            new("2. What you hope to get from it", t.OverallGoals.Count > 0 ? [new Bullets(t.OverallGoals)] : [new Para("We will shape your goals in the first session.")]),
            new("3. Fees and payment", [new Para(t.Fee == 0 ? "There is no fee for this coaching." : $"The fee is {Money(t.Fee, t.Currency)}. {t.PaymentTerms}")]),
            new("4. Moving or cancelling a session", [new Para(t.CancellationPolicy)]),
            new("5. Confidentiality and its limits",
            [
                new Para("What you share stays between you and your coach. Your coach keeps private notes separately from anything shared with you. " +
                    "Confidentiality ends only where the law requires disclosure, or where someone’s safety is at serious risk."),
            ]),
            new("6. Who else sees what",
            [
                new Para(t.SponsorName is { Length: > 0 } sponsor
                    ? $"This coaching is sponsored by {sponsor}. The sponsor sees: {t.SponsorSees} Nothing else you say or write is passed on."
                    : "No one else sees anything about your coaching."),
            ]),
            new("7. Ending early",
            [
                new Para("Either of us may end the engagement at any time by saying so; sessions already held are paid for, the rest are not. " +
                    "Coaching is not therapy: if something you need is better served elsewhere, your coach will say so."),
            ]),
            new("8. Your responsibility",
            [
                new Para("You choose your goals and your actions. Your coach asks, listens and holds you to what you decided; the decisions and their results are yours."),
            ]),
        ];
        return new ReaderDocument("contract", $"Coaching agreement — version {version}",
            $"Between {s.State.ClientName} (“you”) and {b.CoachName} of {b.FirmName} (“your coach”), for the {p.Name} program.",
            sections, $"Offered on {Day(sent.SentAt, s.Zone)}.", b);
    }

    public static ReaderDocument Signature(DocumentSource s, int version, string? contractSha256OnRecord)
    {
        var signed = s.Last<ContractSigned>(e => e.ContractVersion == version)
            ?? throw new InvalidOperationException($"Engagement {s.State.EngagementId} has no signature of contract version {version}.");
        var matches = contractSha256OnRecord is not null && string.Equals(contractSha256OnRecord, signed.DocumentSha256, StringComparison.OrdinalIgnoreCase);
        List<Block> evidence =
        [
            new Facts(
            [
                new("Signed by", signed.FullName),
                new("Signed on", $"{DateTime(signed.SignedAt, s.Zone)} ({s.Zone.Id})"),
                new("From the internet address", signed.IpAddress),
                new("With the browser", signed.UserAgent),
                new("Agreement", $"Coaching agreement, version {version}"),
            ]),
            new Code("Fingerprint (SHA-256) of the agreement exactly as it was shown", signed.DocumentSha256),
        ];
        if (contractSha256OnRecord is not null) evidence.Add(new Code("Fingerprint (SHA-256) of the agreement kept on record", contractSha256OnRecord));
        evidence.Add(new Para(contractSha256OnRecord is null
            ? "The agreement on record could not be read when this record was written."
            : matches
                ? "The two fingerprints are the same: the agreement on record is, to the character, the one that was signed."
                : "The two fingerprints differ: the agreement on record is not the one that was signed. Tell your coach."));
        return new ReaderDocument("contract-signature", $"Signature of the coaching agreement, version {version}",
            $"{s.State.ClientName} with {s.Branding.CoachName} of {s.Branding.FirmName}",
            [
                new("What was agreed", [new Para($"{signed.FullName} read the coaching agreement (version {version}), confirmed they agree to it and typed their name to sign it.", Lead: true)]),
                new("Evidence of the signature", evidence),
            ],
            $"Recorded on {Day(signed.SignedAt, s.Zone)}. {ZoneNote(s.Zone)}", s.Branding);
    }
}
