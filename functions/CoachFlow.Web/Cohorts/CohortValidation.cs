using CoachFlow.Orchestrations;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Tenancy;

namespace CoachFlow.Web.Cohorts;

/// <summary>A row that passed validation: what its engagement starts with.</summary>
/// <param name="AlreadyStarted">This cohort started this client's engagement before (an earlier run): counted, never started twice.</param>
public sealed record CohortRow(int Line, string Name, string Email, string CoachId, string? SponsorId, IReadOnlyList<string> Goals, string? TimeZone, bool AlreadyStarted);

/// <summary>A row that will not start, with every reason found (codes are stable and kebab-case; <see cref="Reason"/> is for a person).</summary>
public sealed record RejectedRow(int Line, IReadOnlyList<string> Codes, string Reason, CohortCsvRow Raw);

/// <summary>What validation found: the rows that can start and the ones that cannot.</summary>
public sealed record CohortValidationResult(IReadOnlyList<CohortRow> Valid, IReadOnlyList<RejectedRow> Rejected);

/// <summary>
/// What validation needs to know about the firm, read once before the rows are checked: its users, the coach
/// references of the file that belong to another firm, the clients in a running engagement on the cohort's
/// program (client id → the cohort that engagement belongs to, if any), and the clients this cohort started before.
/// </summary>
public sealed record CohortDirectory(
    IReadOnlyList<Coach> FirmUsers,
    IReadOnlySet<string> OtherFirmCoachRefs,
    IReadOnlyDictionary<string, string?> RunningOnProgram,
    IReadOnlySet<string> StartedInCohort);

/// <summary>
/// Checks every row of a cohort file before anything starts (pure: the firm's facts come in a
/// <see cref="CohortDirectory"/>). The reason codes: <c>malformed-row</c>, <c>missing-name</c>, <c>name-too-long</c>,
/// <c>invalid-email</c>, <c>duplicate-email</c>, <c>missing-coach</c>, <c>unknown-coach</c>, <c>coach-of-another-firm</c>,
/// <c>not-a-coach</c>, <c>unknown-sponsor</c>, <c>bad-time-zone</c>, <c>bad-goals</c>, <c>already-active</c>.
/// </summary>
public static class CohortValidation
{
    public const int MaxGoals = 10;
    public const int MaxGoalLength = 500;
    public const int MaxNameLength = 200;

    public static CohortValidationResult Validate(string firmId, string programId, IReadOnlyList<CohortCsvRow> rows, CohortDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(directory);
        var byId = directory.FirmUsers.ToDictionary(u => u.CoachId, StringComparer.Ordinal);
        var byEmail = directory.FirmUsers.GroupBy(u => u.Email.ToLowerInvariant()).ToDictionary(g => g.Key, g => g.First());
        Coach? Find(string reference) => reference.Contains('@', StringComparison.Ordinal)
            ? byEmail.GetValueOrDefault(reference.ToLowerInvariant())
            : byId.GetValueOrDefault(reference);

        var firstLineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var valid = new List<CohortRow>();
        var rejected = new List<RejectedRow>();
        foreach (var row in rows)
        {
            var problems = new List<(string Code, string Reason)>();
            if (row.Malformed) problems.Add(("malformed-row", "A quote in this row is not closed or stands inside a field; put quotes around the whole field and double any quote inside it."));

            if (row.Name is null) problems.Add(("missing-name", "The client name is empty."));
            else if (row.Name.Length > MaxNameLength) problems.Add(("name-too-long", $"The client name is longer than {MaxNameLength} characters."));

            string? email = null;
            if (row.Email is null) problems.Add(("invalid-email", "The client email is empty."));
            else if (!IsEmail(row.Email)) problems.Add(("invalid-email", $"'{row.Email}' is not an email address."));
            else
            {
                email = row.Email;
                var key = email.ToLowerInvariant();
                if (firstLineOf.TryGetValue(key, out var first)) problems.Add(("duplicate-email", $"The client email '{email}' is on line {first} too; each client is on one line."));
                else firstLineOf[key] = row.Line;
            }

            Coach? coach = null;
            if (row.Coach is null) problems.Add(("missing-coach", "The coach is empty: give a coach's email or id."));
            else if ((coach = Find(row.Coach)) is null)
                problems.Add(directory.OtherFirmCoachRefs.Contains(row.Coach.ToLowerInvariant())
                    ? ("coach-of-another-firm", $"'{row.Coach}' is a coach of another firm; name one of this firm's coaches.")
                    : ("unknown-coach", $"No coach of this firm has the email or id '{row.Coach}'."));
            else if (coach.Role == Role.Sponsor)
            {
                problems.Add(("not-a-coach", $"'{row.Coach}' is a sponsor of this firm, not a coach."));
                coach = null;
            }

            Coach? sponsor = null;
            if (row.Sponsor is not null && ((sponsor = Find(row.Sponsor)) is null || sponsor.Role != Role.Sponsor))
                problems.Add(("unknown-sponsor", $"No sponsor of this firm has the email or id '{row.Sponsor}' (a firm admin adds sponsors with the role 'sponsor')."));

            if (row.TimeZone is not null && !IsIanaTimeZone(row.TimeZone))
                problems.Add(("bad-time-zone", $"'{row.TimeZone}' is not an IANA time zone; write it like Europe/Paris, America/New_York or UTC."));

            var goals = (row.Goals ?? "").Split(CohortCsv.GoalSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (goals.Length > MaxGoals) problems.Add(("bad-goals", $"At most {MaxGoals} overall goals, separated by '{CohortCsv.GoalSeparator}'; this row has {goals.Length}."));
            else if (goals.Any(g => g.Length > MaxGoalLength)) problems.Add(("bad-goals", $"An overall goal is at most {MaxGoalLength} characters."));

            var alreadyStarted = false;
            if (email is not null)
            {
                var clientId = EngagementService.ClientIdOf(firmId, email);
                alreadyStarted = directory.StartedInCohort.Contains(clientId);
                if (!alreadyStarted && directory.RunningOnProgram.TryGetValue(clientId, out var otherCohort))
                    problems.Add(("already-active", otherCohort is null
                        ? $"This client is already in a running engagement on the program '{programId}'."
                        : $"This client is already in a running engagement on the program '{programId}', started by another cohort."));
            }

            if (problems.Count > 0)
                rejected.Add(new RejectedRow(row.Line, [.. problems.Select(p => p.Code).Distinct()], string.Join(" ", problems.Select(p => p.Reason)), row));
            else
                valid.Add(new CohortRow(row.Line, row.Name!, email!, coach!.CoachId, sponsor?.CoachId, goals, row.TimeZone, alreadyStarted));
        }
        return new CohortValidationResult(valid, rejected);
    }

    /// <summary>The same test <see cref="EngagementService.StartAsync"/> applies, so a valid row never fails to start.</summary>
    public static bool IsEmail(string value)
    {
        try
        {
            TenancyStore.RequireEmail(value);
            return true;
        }
        catch (BadInputException)
        {
            return false;
        }
    }

    /// <summary>An IANA id this machine knows (Windows ids such as "W. Europe Standard Time" are refused: the file is read the same everywhere).</summary>
    public static bool IsIanaTimeZone(string id) =>
        id.Length <= 64 && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId;
}
