using System.Reflection;
using CoachFlow.LocalHost;
using CoachFlow.Orchestrations;
using CoachFlow.Web.Hosting;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CoachFlow.Functions.Tests;

/// <summary>
/// The Azure app cannot drift from what the tests run: the Functions app's HTTP triggers reach exactly the local host's
/// endpoints, and it registers exactly the orchestrators and activities the local host registers, no more and no fewer.
/// </summary>
public sealed class BothHostsTests
{
    [Fact]
    public async Task GivenTheLocalHostsEndpoints_WhenTheFunctionsAppDeclaresItsHttpTriggers_ThenEveryEndpointIsReachedByExactlyOneTriggerWithItsMethodAndNoTriggerAnswersMore()
    {
        using var app = FunctionsApp.Build();
        var triggers = (await FunctionsApp.DeclaredAsync(app)).Where(f => f.Trigger == "httpTrigger").ToList();
        Assert.All(triggers, t => Assert.NotEmpty(t.Methods)); // a trigger without methods would answer every method
        Assert.All(triggers, t => Assert.NotNull(t.Route));
        // The Functions host keeps admin/ and runtime/ (Durable Functions' webhooks) for itself: no trigger may reach them.
        Assert.All(triggers, t => Assert.False(Matches(t.Route!, "admin/host/status") || Matches(t.Route!, "runtime/webhooks/durabletask/instances"), $"{t.Name} ({t.Route}) reaches the host's own paths."));

        // Each endpoint, at a path its route matches, is reached by one trigger that lists its method...
        var reached = triggers.ToDictionary(t => t.Name, _ => new HashSet<string>(StringComparer.Ordinal));
        foreach (var (method, pattern) in await LocalEndpointsAsync())
        {
            var path = SamplePath(pattern);
            var trigger = Assert.Single(triggers, t => Matches(t.Route!, path));
            Assert.True(trigger.Methods.Contains(method), $"{method} {Canonical(pattern)} reaches {trigger.Name}, which does not take {method}.");
            reached[trigger.Name].Add(method);
        }
        // ...and no trigger takes a method (or a path) that none of its endpoints answers.
        Assert.All(triggers, t => Sets.AssertSame(reached[t.Name], t.Methods, "its endpoints' methods", $"the {t.Name} trigger's methods"));
    }

    [Fact]
    public async Task GivenBothHosts_WhenTheirTasksAreListed_ThenTheyRegisterTheSameOrchestratorsAndActivities()
    {
        var local = new DurableTaskRegistry();
        local.AddEngagementTasks(new EngagementWorkflow(ProgramCatalog.BuiltIn));
        string[] localOrchestrators = [.. local.GetOrchestrators().Select(o => o.Key.Name)];
        string[] localActivities = [.. local.GetActivities().Select(a => a.Key.Name)];

        // The names in Names (every constant, so one left out of All is caught too) are what the local host registers.
        Sets.AssertSame(Constants(typeof(Names.Orchestrators)), localOrchestrators, "Names.Orchestrators", "the local host");
        Sets.AssertSame(Names.Orchestrators.All, localOrchestrators, "Names.Orchestrators.All", "the local host");
        Sets.AssertSame(Constants(typeof(Names.Activities)), localActivities, "Names.Activities", "the local host");
        Sets.AssertSame(Names.Activities.All, localActivities, "Names.Activities.All", "the local host");

        using var app = FunctionsApp.Build();
        // What the Functions worker runs...
        var registry = app.Services.GetRequiredService<IOptions<DurableTaskRegistry>>().Value;
        Sets.AssertSame(localOrchestrators, registry.GetOrchestrators().Select(o => o.Key.Name), "the local host", "the Functions worker's registry");
        Sets.AssertSame(localActivities, registry.GetActivities().Select(a => a.Key.Name), "the local host", "the Functions worker's registry");
        Assert.Empty(registry.GetEntities());

        // ...and what it declares to the Functions host.
        var declared = await FunctionsApp.DeclaredAsync(app);
        Sets.AssertSame(localOrchestrators, declared.Where(f => f.Trigger == "orchestrationTrigger").Select(f => f.Name), "the local host", "the Functions app's orchestration triggers");
        Sets.AssertSame(localActivities, declared.Where(f => f.Trigger == "activityTrigger").Select(f => f.Name), "the local host", "the Functions app's activity triggers");
        Assert.DoesNotContain(declared, f => f.Trigger == "entityTrigger");
    }

    [Fact]
    public async Task GivenTheFunctionsApp_WhenItsFunctionsAreListed_ThenEachHasANameOfItsOwnAndTheTriggerItMeans()
    {
        using var app = FunctionsApp.Build();
        var declared = await FunctionsApp.DeclaredAsync(app);
        // The host knows functions by case-insensitive name: orchestrators, activities and HTTP triggers share one namespace.
        Assert.Equal(declared.Count, declared.Select(f => f.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        // The engine replaced the old runtime's queue and timer triggers: nothing but HTTP and Durable Functions, the queue
        // triggers that run cohort import batches and webhook deliveries (the local host's CohortImportWorker and
        // WebhookDeliveryWorker poll the same queues) and the timer triggers of the data-rights sweep and the engine sweep (the
        // local host's DataRightsWorker and EngineSweepWorker run the same sweeps).
        var others = new Dictionary<string, string>
        {
            ["CohortImportBatch"] = "queueTrigger", ["WebhookDeliveries"] = "queueTrigger", ["DataRightsSweep"] = "timerTrigger", ["EngineSweep"] = "timerTrigger",
        };
        Assert.All(declared.Where(f => !others.ContainsKey(f.Name)), f => Assert.Contains(f.Trigger, new[] { "httpTrigger", "orchestrationTrigger", "activityTrigger" }));
        foreach (var (name, trigger) in others) Assert.Equal(trigger, Assert.Single(declared, f => f.Name == name).Trigger);
    }

    /// <summary>
    /// The local host's endpoints (method, route): a WebApplication wired as CoachFlow.LocalHost's Program wires it (the
    /// engine, then <see cref="WebHosting"/>'s three calls), never started.
    /// </summary>
    private static async Task<List<(string Method, RoutePattern Pattern)>> LocalEndpointsAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["CoachFlow:Links:SigningKey"] = "functions-tests-link-signing-key-0123456789";
        builder.Services.AddEngagementEngine(new Uri("http://127.0.0.1:1"), "UseDevelopmentStorage=true", "coachflow");
        builder.Services.AddCoachFlowWeb(builder.Configuration);
        await using var app = builder.Build();
        app.UseCoachFlowMiddleware();
        app.MapCoachFlow();
        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().ToList();
        Assert.NotEmpty(endpoints);
        var routes = new List<(string, RoutePattern)>();
        foreach (var endpoint in endpoints)
        {
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            Assert.True(methods is { Count: > 0 }, $"{endpoint.DisplayName} answers every method; a Functions trigger must list them.");
            routes.AddRange(methods.Select(m => (m.ToUpperInvariant(), endpoint.RoutePattern)));
        }
        return routes;
    }

    /// <summary>A path <paramref name="pattern"/> matches: each parameter filled with a value its constraints accept.</summary>
    private static string SamplePath(RoutePattern pattern) =>
        string.Join('/', pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart p => p.ParameterPolicies.Any(c => c.Content is "int" or "long") ? "1" : "x",
            _ => throw new InvalidOperationException($"Unknown route part {part.GetType().Name}"),
        }))));

    /// <summary>Whether a Functions route template matches <paramref name="path"/>, by ASP.NET Core's own route matcher (the host's).</summary>
    private static bool Matches(string route, string path) =>
        new TemplateMatcher(TemplateParser.Parse(route), new RouteValueDictionary()).TryMatch("/" + path, new RouteValueDictionary());

    /// <summary>
    /// A route template in one spelling, from its parsed form: no leading slash (Functions routes have none, ASP.NET
    /// Core's may), parameters with their constraints, optional and catch-all markers and defaults as written.
    /// </summary>
    private static string Canonical(RoutePattern pattern) =>
        string.Join('/', pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(Part))));

    private static string Part(RoutePatternPart part) => part switch
    {
        RoutePatternLiteralPart literal => literal.Content,
        RoutePatternSeparatorPart separator => separator.Content,
        RoutePatternParameterPart p => "{" + (p.IsCatchAll ? p.EncodeSlashes ? "*" : "**" : "") + p.Name
            + string.Concat(p.ParameterPolicies.Select(c => ":" + c.Content)) + (p.IsOptional ? "?" : "") + (p.Default is { } d ? $"={d}" : "") + "}",
        _ => throw new InvalidOperationException($"Unknown route part {part.GetType().Name}"),
    };

    private static IEnumerable<string> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!);
}
