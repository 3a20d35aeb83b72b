using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using CoachFlow.Email;
using CoachFlow.Email.Smtp;
using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.Activities;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Web.Email;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Links;
using CoachFlow.Web.Tenancy;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using CoachFlow.Workflows.Runtime;
using Microsoft.DurableTask;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CoachFlow.Web.Tests.Lifecycle;

/// <summary>
/// The activities that record a step and retry its effects, run as the engine runs them again (a crash after the send,
/// a lost lease, a provider that timed out after it accepted): the real read model on Azurite, the host's effects
/// (rendering, link signing, documents) and the SMTP transport to a real maildev.
/// </summary>
public sealed partial class EffectOnceTests(EffectOnceTests.Stack stack) : IClassFixture<EffectOnceTests.Stack>
{
    [Fact]
    public async Task GivenAStartRecordedAndItsContractEmailSent_WhenRecordStepRunsAgainAndItsRetryRunsToo_ThenTheClientHasOneContractEmail()
    {
        var step = await stack.StartStepAsync("once");

        var first = await stack.RecordStep.RunAsync(Stack.Activity, step);
        stack.Clock.Advance(TimeSpan.FromMinutes(3)); // the engine runs it again later, after a crash or a lost lease
        var again = await stack.RecordStep.RunAsync(Stack.Activity, step);
        var retried = await stack.RunEffects.RunAsync(Stack.Activity, new EffectsRequest(step.EngagementId, step.Effects));

        Assert.Equal((0, 0, 0), (first.Remaining.Count, again.Remaining.Count, retried.Remaining.Count));
        // maildev answers the SMTP DATA only once it has stored the message, so every send has arrived by now.
        var contract = Assert.Single(await stack.ContractEmailsAsync(step.EngagementId));
        var record = await stack.Store.GetEffectAsync(step.EngagementId, ContractEffect(step).EffectId, CancellationToken.None);
        Assert.NotNull(record?.DeliveredAt);
        Assert.Equal(1, record.Attempts); // the later runs found it delivered and did not begin another
        Assert.Equal(MessageIds.For(ContractEffect(step).EffectId, "coaching@coachflow.local").Split('@')[0], contract.MessageId.Split('@')[0]);
    }

    [Fact]
    public async Task GivenTheProviderTimedOutAfterAcceptingTheContractEmail_WhenItsRetryRunsMinutesLater_ThenTheRepeatIsByteForByteTheSameEmailAndTheNextRetrySendsNothing()
    {
        var step = await stack.StartStepAsync("cut-off");
        stack.Transport.CutOffAfterAccepting = 1;

        var first = await stack.RecordStep.RunAsync(Stack.Activity, step);
        Assert.Equal(ContractEffect(step).EffectId, Assert.Single(first.Remaining).EffectId); // the document went; the email is reported failed
        stack.Clock.Advance(TimeSpan.FromMinutes(7)); // the part's durable retry timer
        var retried = await stack.RunEffects.RunAsync(Stack.Activity, new EffectsRequest(step.EngagementId, first.Remaining));
        var once = await stack.RunEffects.RunAsync(Stack.Activity, new EffectsRequest(step.EngagementId, first.Remaining));

        Assert.Equal((0, 0), (retried.Remaining.Count, once.Remaining.Count));
        var emails = await stack.ContractEmailsAsync(step.EngagementId);
        Assert.Equal(2, emails.Count); // the copy the provider took before it timed out, and the retry's: the window the record leaves
        var (original, repeat) = (await stack.Maildev.SourceAsync(emails[0].Id), await stack.Maildev.SourceAsync(emails[1].Id));
        Assert.Equal(original, repeat);

        // The one link both copies carry is good, and it expires as the first attempt's link did, not 7 minutes later.
        var token = Assert.Single(LinkToken().Matches(emails[0].Text).Select(m => m.Groups[1].Value).Distinct());
        var (grant, problem) = await stack.Links.CheckAsync(token, CancellationToken.None);
        Assert.Equal((LinkProblem.None, step.EngagementId, "sign-contract"), (problem, grant!.EngagementId, grant.Purpose));
        var record = await stack.Store.GetEffectAsync(step.EngagementId, ContractEffect(step).EffectId, CancellationToken.None);
        Assert.Equal(2, record!.Attempts);
        Assert.Equal(step.State.ContractExpiresAt ?? record.FirstAttemptedAt + stack.LinkLifetime, grant.ExpiresAt);
        Assert.Equal(record.FirstAttemptedAt, MimeKit.MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(original))).Date);
    }

    [Fact]
    public async Task GivenTheStartStepCutOffAfterItsEmailWasAccepted_WhenTheEngineRunsTheStepsEpisodeAgainAMomentLater_ThenTheTwinSendsTheSameEmail()
    {
        var step = await stack.StartStepAsync("twin");
        stack.Transport.CutOffAfterAccepting = 1;
        Assert.Single((await stack.RecordStep.RunAsync(Stack.Activity, step)).Remaining);

        // The episode that scheduled the step was not saved before the crash: run again 20 s later, it decides the same
        // start with another "now", so its step carries another contract expiry under the same effect ids.
        stack.Clock.Advance(TimeSpan.FromSeconds(20));
        var twin = stack.TwinOf(step);
        Assert.NotEqual(step.State.ContractExpiresAt, twin.State.ContractExpiresAt);
        Assert.Equal(step.Effects.Select(e => e.EffectId), twin.Effects.Select(e => e.EffectId));
        var report = await stack.RecordStep.RunAsync(Stack.Activity, twin);

        Assert.Empty(report.Remaining);
        Assert.Null(report.Diverged); // a twin is this step again, not drift
        Assert.Equal(StateHash.Of(step.State), StateHash.Of(report.Recorded)); // and the orchestration carries on from what the first recorded
        var emails = await stack.ContractEmailsAsync(step.EngagementId);
        Assert.Equal(2, emails.Count);
        Assert.Equal(await stack.Maildev.SourceAsync(emails[0].Id), await stack.Maildev.SourceAsync(emails[1].Id));
    }

    [Fact]
    public async Task GivenTheContractLinkOfOneEffect_WhenTheSameEffectSignsAgainAndAResentContractSigns_ThenTheRepeatIsTheSameSingleUseLinkAndTheResentOneANewLink()
    {
        var start = DateTimeOffset.UtcNow;
        var first = stack.Links.SignForEffect("eng-x/1/2", "eng-x", "sign-contract", null, start.AddDays(14));
        var repeat = stack.Links.SignForEffect("eng-x/1/2", "eng-x", "sign-contract", null, start.AddDays(14));
        var resent = stack.Links.SignForEffect("eng-x/4/1", "eng-x", "sign-contract", null, start.AddDays(14));

        Assert.Equal(first, repeat);
        var (used, _) = await stack.Links.CheckAsync(first, CancellationToken.None);
        var (other, _) = await stack.Links.CheckAsync(resent, CancellationToken.None);
        Assert.NotEqual(used!.Nonce, other!.Nonce);
        // Signing with the first link uses up its repeat too; the resent contract's link stays good.
        Assert.True(await stack.Links.MarkUsedAsync(used, CancellationToken.None));
        Assert.Equal(LinkProblem.Used, (await stack.Links.CheckAsync(repeat, CancellationToken.None)).Problem);
        Assert.Equal(LinkProblem.None, (await stack.Links.CheckAsync(resent, CancellationToken.None)).Problem);
    }

    private static EffectToRun ContractEffect(StepRecord step) =>
        step.Effects.Single(e => EngagementCodec.Open<WorkflowEffect>(e.Effect) is SendEmail { Kind: EmailKinds.ContractInvitation });

    [GeneratedRegex(@"/c/([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)")]
    private static partial Regex LinkToken();

    /// <summary>
    /// Azurite, maildev, a firm with a coach, and the host's own services around the two activities, on a clock the test
    /// moves. The one stand-in is <see cref="CutOffTransport"/>, around the real SMTP transport.
    /// </summary>
    public sealed class Stack : IAsyncLifetime
    {
        public static readonly TaskActivityContext Activity = new ActivityRun();

        private Azurite? _azurite;
        private ServiceProvider? _services;
        private Firm _firm = null!;
        private Coach _coach = null!;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, StartEngagement> _starts = new();

        public Maildev Maildev { get; private set; } = null!;
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
        public CutOffTransport Transport { get; private set; } = null!;
        public EngagementStore Store => _services!.GetRequiredService<EngagementStore>();
        public LinkSigner Links => _services!.GetRequiredService<LinkSigner>();
        public TimeSpan LinkLifetime => _services!.GetRequiredService<LinkOptions>().Lifetime;
        public RecordStep RecordStep => _services!.GetRequiredService<RecordStep>();
        public RunEffects RunEffects => _services!.GetRequiredService<RunEffects>();
        private EngagementWorkflow Rules => _services!.GetRequiredService<EngagementWorkflow>();

        public async Task InitializeAsync()
        {
            var azurite = Azurite.StartAsync();
            var maildev = Maildev.StartAsync();
            (_azurite, Maildev) = (await azurite, await maildev);
            var prefix = Repository.UniquePrefix();
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["CoachFlow:Storage:ConnectionString"] = _azurite.ConnectionString,
                ["CoachFlow:Storage:Prefix"] = prefix,
                ["CoachFlow:Smtp:Port"] = Maildev.SmtpPort.ToString(CultureInfo.InvariantCulture),
                ["CoachFlow:Links:SigningKey"] = "a signing key of at least thirty-two bytes, for tests",
            }).Build();

            var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(Clock);
            services.AddCoachFlowServices(configuration).AddCoachFlowEmail();
            services.AddSingleton(sp => Transport = new CutOffTransport(new SmtpEmailTransport(sp.GetRequiredService<SmtpOptions>(), NullLogger<SmtpEmailTransport>.Instance)));
            services.AddSingleton<IEmailTransport>(sp => sp.GetRequiredService<CutOffTransport>());
            services.AddSingleton(ProgramCatalog.BuiltIn).AddSingleton(new EngagementWorkflow(ProgramCatalog.BuiltIn));
            services.AddSingleton(new EngagementStore(new TableServiceClient(_azurite.ConnectionString), prefix));
            services.AddSingleton<IEngagementOutbox>(NoEngagementOutbox.Instance); // webhooks are not what this is about
            services.AddSingleton<EffectSequence>().AddSingleton<RecordStep>().AddSingleton<RunEffects>();
            _services = services.BuildServiceProvider();
            _ = _services.GetRequiredService<CutOffTransport>();

            await _services.GetRequiredService<StorageAccount>().EnsureCreatedAsync();
            var tenancy = _services.GetRequiredService<TenancyStore>();
            await tenancy.EnsureCreatedAsync();
            await Store.EnsureCreatedAsync();
            (_firm, _, _) = await tenancy.CreateFirmAsync("Northwind Coaching", "Avery Admin", "admin@northwind.test", TimeSpan.FromDays(1));
            _coach = await tenancy.AddCoachAsync(_firm.FirmId, "Casey Coach", "casey@northwind.test", Role.Coach, null);
        }

        /// <summary>
        /// A new engagement's first step as its contract part records it (the start claimed, the rules' decision on the
        /// start input, effect ids <c>{engagement}/{version}/{n}</c>): the contract document, then the contract email.
        /// </summary>
        public async Task<StepRecord> StartStepAsync(string name)
        {
            var id = $"eng-{name}-{Guid.NewGuid():N}";
            var start = new StartEngagement(_firm.FirmId, _coach.CoachId, $"client-{name}", "Robin Reyes", $"{name}@client.test", "career-6",
                new EngagementTerms(60, 1800m, "EUR", "Half at signature", "Move a session up to 24 hours ahead", null, "nothing", ["A new role within a year"]), 1);
            Assert.True(await Store.CreateAsync(id, start, Clock.GetUtcNow(), CancellationToken.None));
            _starts[id] = start;
            return Step(id, start);
        }

        /// <summary>The same step decided again now, as an episode the engine runs again after a crash decides it.</summary>
        public StepRecord TwinOf(StepRecord step) => Step(step.EngagementId, _starts[step.EngagementId]);

        private StepRecord Step(string id, StartEngagement start)
        {
            var now = Clock.GetUtcNow();
            var decision = Rules.Decide(Rules.Initial(id), start, now);
            var state = decision.Events.Aggregate(Rules.Initial(id), Rules.Evolve);
            var version = decision.Events.Count;
            var effects = decision.Effects.Where(e => e is not SetTimer and not CancelTimer)
                .Select((e, n) => new EffectToRun($"{id}/{version}/{n + 1}", EngagementCodec.Wrap(e))).ToImmutableList();
            var timers = decision.Effects.OfType<SetTimer>().Select(t => new TimerEntry(t.TimerId, t.DueAt)).ToImmutableList();
            return new StepRecord(id, $"{id}:contract", 0, [.. decision.Events.Select(e => EngagementCodec.Wrap(e))], state, Rules.Project(state), timers,
                [], effects, [], now);
        }

        /// <summary>The contract emails maildev received for the engagement, in the order they arrived.</summary>
        public async Task<IReadOnlyList<ReceivedEmail>> ContractEmailsAsync(string engagementId) =>
            [.. (await Maildev.ReadAsync(new HashSet<string> { engagementId })).Where(e => e.Kind == EmailKinds.ContractInvitation)];

        public async Task DisposeAsync()
        {
            if (_services is not null) await _services.DisposeAsync();
            if (Maildev is not null) await Maildev.DisposeAsync();
            if (_azurite is not null) await _azurite.DisposeAsync();
        }

        /// <summary>What an activity is told about its run; the activities here read nothing of it.</summary>
        private sealed class ActivityRun : TaskActivityContext
        {
            public override TaskName Name => new(Names.Activities.RecordStep);
            public override string InstanceId => "effect-once";
        }
    }

    /// <summary>
    /// The real SMTP transport, except that the next <see cref="CutOffAfterAccepting"/> sends fail after maildev has taken
    /// the message, as a provider's answer lost to a timeout does (which maildev itself cannot be made to do).
    /// </summary>
    public sealed class CutOffTransport(IEmailTransport inner) : IEmailTransport
    {
        public int CutOffAfterAccepting { get; set; }

        public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
        {
            await inner.SendAsync(message, cancellationToken);
            if (CutOffAfterAccepting <= 0) return;
            CutOffAfterAccepting--;
            throw new EmailTransportException("The provider did not answer in time.", isTransient: true);
        }
    }
}
