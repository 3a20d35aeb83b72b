using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Web.Documents;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Hosting;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Web.DataRights;

// The parts every export has, one per source in the read model and the documents container.

/// <summary>What a client's copy leaves out of the engagement's JSON files.</summary>
internal static class ExportOmissions
{
    public static readonly ExportOmission PrivateNotes = new(
        "The coach's private notes: privateCoachNotes in each session agreement (engagement.json, timeline.json, inputs.json)",
        "They are the coach's own working notes, which the engagement's terms keep from the client and any sponsor. Everything else recorded about the client is in this copy.");

    public static IEnumerable<ExportOmission> ForClient(ExportAudience audience) => audience == ExportAudience.Client ? [PrivateNotes] : [];

    /// <summary>Writes a node made by <see cref="ExportJson"/> (null as JSON null).</summary>
    public static void Write(Utf8JsonWriter writer, JsonNode? node)
    {
        if (node is null) writer.WriteNullValue();
        else node.WriteTo(writer, ExportJson.Options);
    }
}

/// <summary>A person of the firm as an engagement file names them.</summary>
public sealed record ExportedPerson(string Id, string? Name, string? Role);

/// <summary>Something the engagement waits for, and when it falls due.</summary>
public sealed record ExportedDue(string What, DateTimeOffset DueAt);

/// <summary><c>engagement.json</c>: the engagement's ids, status, dates and people, its session agreements and the rules' whole state.</summary>
internal sealed class EngagementFileExportPart(EngagementStore store) : IEngagementExportPart
{
    public IEnumerable<ExportOmission> LeftOut(ExportAudience audience) =>
    [
        new("The engine's own records: orchestration histories, queues, its copy of the timers, and emails or documents parked for a retry",
            "The Durable Task engine keeps them to run the engagement. They hold the inputs and events of inputs.json and timeline.json again; what is due is in engagement.json (due)."),
        .. ExportOmissions.ForClient(audience),
    ];

    public async Task WriteAsync(EngagementExport engagement, CancellationToken ct)
    {
        var view = engagement.View;
        var state = view.State;
        var agreements = new JsonArray();
        await foreach (var captured in store.ReadTimelineAsync(engagement.EngagementId, nameof(SessionAgreementCaptured), ct))
            agreements.Add(ExportJson.Data(captured.Type, captured.Data.GetRawText(), engagement.Audience));
        var file = new
        {
            id = engagement.EngagementId,
            firmId = view.FirmId,
            clientId = state.ClientId,
            clientName = state.ClientName,
            programId = state.ProgramId,
            programVersion = state.ProgramVersion,
            status = view.Status,
            phase = view.Phase,
            waitingFor = view.WaitingFor,
            dueAt = view.DueAt,
            version = view.Version,
            createdAt = view.CreatedAt,
            startedAt = state.StartedAt,
            updatedAt = view.UpdatedAt,
            graduatedAt = state.GraduatedAt,
            closedAt = state.ClosedAt,
            coach = await PersonAsync(engagement, view.CoachId ?? state.CoachId, ct),
            sponsor = await PersonAsync(engagement, state.SponsorId, ct),
            cohortId = state.CohortId,
            previousEngagementId = state.PreviousEngagementId,
            followUps = state.FollowUps,
            flags = view.Flags,
            due = view.Timers.Select(t => new ExportedDue(t.TimerId, t.DueAt)).ToList(),
        };
        var node = ExportJson.Node(file, engagement.Audience)!.AsObject();
        node["agreements"] = agreements;
        node["state"] = ExportJson.Node(state, engagement.Audience);
        await engagement.Archive.WriteJsonAsync(engagement.Folder + "engagement.json", (writer, _) =>
        {
            node.WriteTo(writer, ExportJson.Options);
            return Task.CompletedTask;
        }, ct);
    }

    private static async Task<ExportedPerson?> PersonAsync(EngagementExport engagement, string? id, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(id)) return null;
        var person = await engagement.PersonAsync(id, ct);
        return new ExportedPerson(id, person?.Name, person is null ? null : ExportService.RoleName(person.Role));
    }
}

/// <summary><c>timeline.json</c>: every recorded event with its data, in version order, streamed from the read model.</summary>
internal sealed class TimelineExportPart(EngagementStore store) : IEngagementExportPart
{
    public IEnumerable<ExportOmission> LeftOut(ExportAudience audience) => ExportOmissions.ForClient(audience);

    public Task WriteAsync(EngagementExport engagement, CancellationToken ct) =>
        engagement.Archive.WriteJsonAsync(engagement.Folder + "timeline.json", async (writer, token) =>
        {
            engagement.Count("events", 0);
            writer.WriteStartObject();
            writer.WriteString("engagementId", engagement.EngagementId);
            writer.WriteStartArray("events");
            await foreach (var e in store.ReadTimelineAsync(engagement.EngagementId, ct: token))
            {
                writer.WriteStartObject();
                writer.WriteNumber("version", e.Version);
                writer.WriteString("type", Timeline.Kinds.GetValueOrDefault(e.Type) ?? ExportJson.Kebab(e.Type));
                writer.WriteString("at", e.At);
                writer.WritePropertyName("data");
                ExportOmissions.Write(writer, ExportJson.Data(e.Type, e.Data.GetRawText(), engagement.Audience));
                writer.WriteEndObject();
                engagement.Count("events");
                await ExportJson.FlushIfFullAsync(writer, token);
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }, ct);
}

/// <summary><c>inputs.json</c>: every input the engagement accepted, what came of it and its data, in the order they were accepted.</summary>
/// <remarks>One engagement's inputs are held at once to order them (their rows are keyed by hash); each is at most 256 KB.</remarks>
internal sealed class InputsExportPart(EngagementStore store) : IEngagementExportPart
{
    public IEnumerable<ExportOmission> LeftOut(ExportAudience audience) =>
    [
        new("The idempotency key of each input",
            "An internal key that makes a repeated request count once (some are made from a link's secret part); it says nothing about the engagement."),
        .. ExportOmissions.ForClient(audience),
    ];

    public async Task WriteAsync(EngagementExport engagement, CancellationToken ct)
    {
        var inputs = new List<(InputRecord Input, string Data)>();
        await foreach (var input in store.ReadInboxAsync(engagement.EngagementId, ct)) inputs.Add(input);
        await engagement.Archive.WriteJsonAsync(engagement.Folder + "inputs.json", async (writer, token) =>
        {
            engagement.Count("inputs", 0);
            writer.WriteStartObject();
            writer.WriteString("engagementId", engagement.EngagementId);
            writer.WriteStartArray("inputs");
            foreach (var (input, data) in inputs.OrderBy(i => i.Input.AcceptedAt).ThenBy(i => i.Input.Version ?? long.MaxValue).ThenBy(i => i.Input.Type, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("type", ExportJson.Kebab(input.Type));
                writer.WriteString("status", input.Status);
                if (input.Reason is not null) writer.WriteString("reason", input.Reason);
                if (input.Version is { } version) writer.WriteNumber("version", version);
                writer.WriteString("acceptedAt", input.AcceptedAt);
                writer.WritePropertyName("data");
                ExportOmissions.Write(writer, ExportJson.Data(input.Type, data, engagement.Audience));
                writer.WriteEndObject();
                engagement.Count("inputs");
                await ExportJson.FlushIfFullAsync(writer, token);
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }, ct);
    }
}

/// <summary>
/// <c>notifications.json</c>: what CoachFlow told the engagement's coaches about it (kind, reference, when), from the
/// table <c>NotifyCoach</c> effects write (<c>EmailEffects.NotifyAsync</c>: partition <c>{firm}|{coach}</c>, row
/// <c>{engagement}|{version}|{n}</c>, so each coach's rows of one engagement are a range).
/// </summary>
internal sealed class NotificationsExportPart(StorageAccount storage, EngagementStore store) : IEngagementExportPart
{
    private readonly TableClient _table = storage.Table("notifications");

    public IEnumerable<ExportOmission> LeftOut(ExportAudience audience) => [];

    public async Task WriteAsync(EngagementExport engagement, CancellationToken ct)
    {
        var id = engagement.EngagementId;
        // Every coach the engagement has had: a handed-over engagement's earlier notifications sit in the earlier coach's partition.
        var coaches = new List<string> { engagement.View.State.CoachId };
        await foreach (var changed in store.ReadTimelineAsync(id, nameof(CoachChanged), ct))
            coaches.AddRange([changed.Data.GetProperty("previousCoachId").GetString()!, changed.Data.GetProperty("newCoachId").GetString()!]);
        var rows = new List<TableEntity>();
        try
        {
            foreach (var coach in coaches.Where(c => c.Length > 0).Distinct(StringComparer.Ordinal))
            {
                var filter = TableClient.CreateQueryFilter($"PartitionKey eq {$"{engagement.View.FirmId}|{coach}"} and RowKey ge {id + "|"} and RowKey lt {id + "}"}");
                await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: ct)) rows.Add(row);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No coach of this environment was ever notified: the table does not exist yet.
        }
        await engagement.Archive.WriteJsonAsync(engagement.Folder + "notifications.json", (writer, _) =>
        {
            engagement.Count("notifications", 0);
            writer.WriteStartObject();
            writer.WriteString("engagementId", id);
            writer.WriteStartArray("notifications");
            foreach (var row in rows.OrderBy(r => r.GetDateTimeOffset("At")).ThenBy(r => r.RowKey, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("kind", row.GetString("Kind"));
                if (row.GetString("Ref") is { } reference) writer.WriteString("ref", reference);
                if (row.GetDateTimeOffset("At") is { } at) writer.WriteString("at", at);
                writer.WriteEndObject();
                engagement.Count("notifications");
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
            return Task.CompletedTask;
        }, ct);
    }
}

/// <summary><c>documents/{name}.html</c> and <c>.json</c>: every stored document, copied from its blobs as they are read.</summary>
/// <remarks>
/// The next few blobs' downloads are opened while one is copied (their bodies wait in the connection, unread), so
/// an engagement's forty-odd documents cost about one round trip each in parallel rather than in turn.
/// </remarks>
internal sealed class DocumentsExportPart(DocumentStore documents) : IEngagementExportPart
{
    /// <summary>The kind of the coach's private notes on a session: never in a client's copy.</summary>
    public const string PrivateNotesKind = "coach-private-notes";

    private const int ReadAhead = 8;

    public IEnumerable<ExportOmission> LeftOut(ExportAudience audience) =>
    [
        new("PDFs", "CoachFlow makes them on request from the same data as the HTML documents here (the signed contract, reassessment reports, the self-coaching plan)."),
        new("Reports built on request (progress report, action check-ins) as of today",
            "They are made from the engagement as it stands whenever someone asks; the progress reports that were sent to a sponsor are stored, and are here."),
        .. audience == ExportAudience.Client
            ? [new ExportOmission($"Documents of kind {PrivateNotesKind} (the coach's private notes on each session)",
                "They are the coach's own working notes, which the engagement's terms keep from the client and any sponsor.")]
            : Array.Empty<ExportOmission>(),
    ];

    public async Task WriteAsync(EngagementExport engagement, CancellationToken ct)
    {
        engagement.Count("documents", 0);
        var files = (await documents.ListAsync(engagement.EngagementId, ct))
            .Where(d => engagement.Audience != ExportAudience.Client || d.Kind != PrivateNotesKind)
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .SelectMany(d => new[] { (d.Name, Extension: "html"), (d.Name, Extension: "json") })
            .ToList();
        var opening = new Queue<Task<Stream?>>();
        var next = 0;
        try
        {
            foreach (var (name, extension) in files)
            {
                while (next < files.Count && opening.Count < ReadAhead)
                {
                    var (n, e) = files[next++];
                    opening.Enqueue(documents.OpenReadAsync(engagement.EngagementId, n, e, ct));
                }
                await using var content = await opening.Dequeue();
                if (content is null) continue; // erased meanwhile
                await engagement.Archive.CopyAsync($"{engagement.Folder}documents/{name}.{extension}", content, ct);
                if (extension == "html") engagement.Count("documents");
            }
        }
        finally
        {
            // Downloads opened ahead and not copied (an error stopped the export): close them.
            while (opening.TryDequeue(out var left))
            {
                try { (await left)?.Dispose(); }
                catch (Exception ex) when (ex is Azure.RequestFailedException or OperationCanceledException or IOException) { }
            }
        }
    }
}
