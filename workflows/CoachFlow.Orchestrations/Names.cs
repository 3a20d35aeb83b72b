namespace CoachFlow.Orchestrations;

/// <summary>
/// The names the engine knows CoachFlow's orchestrators, activities and events by. Both hosts (the Functions
/// isolated worker in Azure and the local host) register exactly these.
/// </summary>
/// <remarks>WARNING: names are stored in every orchestration's history. Renaming one breaks engagements in flight.</remarks>
public static class Names
{
    /// <summary>The orchestrators: the engagement and one per part of its lifecycle.</summary>
    public static class Orchestrators
    {
        public const string Engagement = nameof(Engagement);
        public const string ContractSigning = nameof(ContractSigning);
        public const string PreCoachingQuestionnaire = nameof(PreCoachingQuestionnaire);
        public const string CoachingSession = nameof(CoachingSession);
        public const string Reassessment = nameof(Reassessment);
        public const string Graduation = nameof(Graduation);
        public const string Maintenance = nameof(Maintenance);

        /// <summary>A firm's bulk follow-up: keeps and raises one input per selected engagement, in batches, then counts what came of them.</summary>
        public const string BulkAction = nameof(BulkAction);

        public static readonly IReadOnlyList<string> All =
            [Engagement, ContractSigning, PreCoachingQuestionnaire, CoachingSession, Reassessment, Graduation, Maintenance, BulkAction];
    }

    /// <summary>The activities: all of an engagement's I/O.</summary>
    public static class Activities
    {
        /// <summary>A part starts: it becomes where inputs are raised, and collects the inputs that arrived before it.</summary>
        public const string BeginPart = nameof(BeginPart);

        /// <summary>One step: the read model (snapshot, timeline, inputs, index), then its effects in order.</summary>
        public const string RecordStep = nameof(RecordStep);

        /// <summary>Effects again, after a failure or an operator's redrive.</summary>
        public const string RunEffects = nameof(RunEffects);

        /// <summary>A step whose activity kept failing (or that found the read model drifted) is parked: the engagement is flagged and the firm's admins told.</summary>
        public const string ParkStep = nameof(ParkStep);

        /// <summary>A bulk action starts running: it is marked running and says how many batches its selection has.</summary>
        public const string BeginBulkAction = nameof(BeginBulkAction);

        /// <summary>One batch of a bulk action: each input kept in its engagement's inbox; returns where to raise them.</summary>
        public const string KeepBulkBatch = nameof(KeepBulkBatch);

        /// <summary>A bulk action's outcomes read back from the inboxes and counted; true when all are decided (or it stops waiting).</summary>
        public const string SettleBulkAction = nameof(SettleBulkAction);

        public static readonly IReadOnlyList<string> All = [BeginPart, RecordStep, RunEffects, ParkStep, BeginBulkAction, KeepBulkBatch, SettleBulkAction];
    }

    /// <summary>External events.</summary>
    public static class Events
    {
        /// <summary>Every input (from the coach, the client, the email provider or an operator) arrives under this one name, so they keep their order.</summary>
        public const string Input = "input";
    }

    /// <summary>The instance id of a part of an engagement: <c>{engagement}:{part}</c>.</summary>
    public static string PartInstanceId(string engagementId, string part) => $"{engagementId}:{part}";
}
