using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace CoachFlow.Functions.Tests.Infra;

/// <summary>
/// One ARM template (the compiled <c>main.bicep</c>, or a module's template nested in it) with its parameter values,
/// evaluating template expressions as Resource Manager does at deployment: parameters and their defaults, variables
/// (copy loops included), the functions the templates use, module outputs and <c>reference()</c>.
/// </summary>
/// <remarks>
/// What only exists once Azure has created a resource (an identity's client id, a storage account's endpoints, a
/// secret's URI, Application Insights' connection string) comes from <see cref="ArmDeployment"/>, in the shape Azure
/// returns it. An expression with a function not listed here fails the test with the function's name: add it.
/// </remarks>
internal sealed class ArmTemplate
{
    private readonly JsonObject _template;
    private readonly IReadOnlyDictionary<string, object?> _given;
    private readonly ArmDeployment _deployment;
    private readonly Dictionary<string, object?> _parameters = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, object?> _variables = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ArmTemplate> _modules = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _copyIndex = new(StringComparer.OrdinalIgnoreCase);

    public ArmTemplate(JsonObject template, IReadOnlyDictionary<string, object?> parameters, ArmDeployment deployment)
    {
        _template = template;
        _given = parameters;
        _deployment = deployment;
    }

    /// <summary>The template's resources, each with its symbolic name where the template has them (language version 2.0).</summary>
    public IEnumerable<(string? Symbol, JsonObject Resource)> Resources => _template["resources"] switch
    {
        JsonObject symbolic => symbolic.Select(r => ((string?)r.Key, r.Value!.AsObject())),
        JsonArray list => list.Select(r => ((string?)null, r!.AsObject())),
        _ => [],
    };

    /// <summary>The one resource of <paramref name="type"/>.</summary>
    public JsonObject Resource(string type) =>
        Resources.Select(r => r.Resource).Single(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase));

    /// <summary>The template of the module deployed as <paramref name="deploymentName"/>, with the parameters this template gives it.</summary>
    public ArmTemplate Module(string deploymentName)
    {
        if (_modules.TryGetValue(deploymentName, out var known)) return known;
        var deployment = Resources.Select(r => r.Resource).Single(r =>
            string.Equals((string?)r["type"], "Microsoft.Resources/deployments", StringComparison.OrdinalIgnoreCase)
            && string.Equals(Evaluate(r["name"]) as string, deploymentName, StringComparison.OrdinalIgnoreCase));
        var properties = deployment["properties"]!.AsObject();
        // expressionEvaluationOptions.scope = inner: the module's parameter values are this template's expressions,
        // its template is evaluated on its own.
        var parameters = (properties["parameters"]?.AsObject() ?? [])
            .ToDictionary(p => p.Key, p => Evaluate(p.Value!["value"]), StringComparer.OrdinalIgnoreCase);
        return _modules[deploymentName] = new ArmTemplate(properties["template"]!.AsObject(), parameters, _deployment);
    }

    /// <summary>A template value: literals as they are, <c>"[…]"</c> strings evaluated, objects and arrays member by member.</summary>
    public object? Evaluate(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(p => p.Key, p => Evaluate(p.Value), StringComparer.OrdinalIgnoreCase),
        JsonArray a => a.Select(Evaluate).ToList(),
        JsonValue v when v.TryGetValue<string>(out var s) => s switch
        {
            ['[', '[', ..] => s[1..],
            ['[', .., ']'] => Evaluate(new ArmExpressionParser(s[1..^1]).Parse()),
            _ => s,
        },
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        _ => throw new InvalidOperationException($"Cannot evaluate {node.ToJsonString()}."),
    };

    /// <summary>The value of <paramref name="name"/>: the one given, else its default.</summary>
    public object? Parameter(string name)
    {
        if (_parameters.TryGetValue(name, out var value)) return value;
        var declared = _template["parameters"]?[name] ?? throw new InvalidOperationException($"The template declares no parameter '{name}'.");
        value = _given.TryGetValue(name, out var given) ? given
            : declared.AsObject().ContainsKey("defaultValue") ? Evaluate(declared["defaultValue"])
            : throw new InvalidOperationException($"No value for the parameter '{name}', and it has no default.");
        return _parameters[name] = value;
    }

    public object? Variable(string name)
    {
        if (_variables.TryGetValue(name, out var value)) return value;
        var variables = _template["variables"]?.AsObject() ?? [];
        if (variables.TryGetPropertyValue(name, out var node)) return _variables[name] = Evaluate(node);
        var loop = (variables["copy"]?.AsArray() ?? []).Select(c => c!.AsObject()).SingleOrDefault(c => string.Equals((string?)c["name"], name, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"The template declares no variable '{name}'.");
        var items = new List<object?>();
        for (var i = 0; i < Convert.ToInt32(Evaluate(loop["count"]), CultureInfo.InvariantCulture); i++)
        {
            _copyIndex[name] = i;
            items.Add(Evaluate(loop["input"]));
        }
        _copyIndex.Remove(name);
        return _variables[name] = items;
    }

    private object? Evaluate(ArmExpression expression) => expression switch
    {
        ArmExpression.Literal l => l.Value,
        ArmExpression.Member m => Member(Evaluate(m.Target), m.Name),
        ArmExpression.Index i => Index(Evaluate(i.Target), Evaluate(i.Key)),
        ArmExpression.Call { Name: "if" } c => Truth(Evaluate(c.Arguments[0])) ? Evaluate(c.Arguments[1]) : Evaluate(c.Arguments[2]),
        ArmExpression.Call c => Call(c.Name, [.. c.Arguments.Select(Evaluate)]),
        _ => throw new InvalidOperationException($"Unknown expression {expression}."),
    };

    private object? Call(string name, object?[] args) => name.ToLowerInvariant() switch
    {
        "parameters" => Parameter(Text(args[0])),
        "variables" => Variable(Text(args[0])),
        "copyindex" => args.Length > 0 && args[0] is string loop ? _copyIndex[loop] : _copyIndex.Values.Single(),
        "concat" => args is [List<object?>, ..] ? args.SelectMany(a => (List<object?>)a!).ToList() : string.Concat(args.Select(Text)),
        "createarray" => args.ToList(),
        "createobject" => args.Chunk(2).ToDictionary(p => Text(p[0]), p => p[1], StringComparer.OrdinalIgnoreCase),
        "union" => args.Cast<Dictionary<string, object?>>().SelectMany(d => d).GroupBy(p => p.Key, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.OrdinalIgnoreCase),
        "format" => string.Format(CultureInfo.InvariantCulture, Text(args[0]), [.. args[1..].Select(Text)]),
        "empty" => args[0] switch { null => true, string s => s.Length == 0, System.Collections.ICollection c => c.Count == 0, _ => false },
        "length" => (long)(args[0] switch { string s => s.Length, System.Collections.ICollection c => c.Count, _ => throw new InvalidOperationException("length() of a non-collection") }),
        "tolower" => Text(args[0]).ToLowerInvariant(),
        "take" => args[0] is string s ? s[..Math.Min(s.Length, Convert.ToInt32(args[1], CultureInfo.InvariantCulture))]
            : ((List<object?>)args[0]!).Take(Convert.ToInt32(args[1], CultureInfo.InvariantCulture)).ToList(),
        "last" => args[0] is string s ? s[^1..] : ((List<object?>)args[0]!)[^1],
        "split" => Text(args[0]).Split(Text(args[1])).Cast<object?>().ToList(),
        "uniquestring" => UniqueString(args.Select(Text)),
        "guid" => new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("|", args.Select(Text))))[..16]).ToString(),
        "newguid" => Guid.NewGuid().ToString(),
        "subscription" => new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
        {
            ["id"] = $"/subscriptions/{_deployment.SubscriptionId}", ["subscriptionId"] = _deployment.SubscriptionId, ["tenantId"] = _deployment.TenantId,
        },
        "resourcegroup" => new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
        {
            ["id"] = _deployment.ResourceGroupId, ["name"] = _deployment.ResourceGroup, ["location"] = _deployment.Location,
        },
        "resourceid" => ResourceId(Text(args[0]), [.. args[1..].Select(Text)]),
        "reference" => Reference(Text(args[0])),
        _ => throw new InvalidOperationException($"The test's ARM evaluation has no function '{name}': add it to ArmTemplate."),
    };

    /// <summary>What <c>reference()</c> gives for a resource of this template: by symbolic name or by resource id.</summary>
    private object? Reference(string symbolOrId)
    {
        var (symbol, resource) = Resources.FirstOrDefault(r => string.Equals(r.Symbol, symbolOrId, StringComparison.OrdinalIgnoreCase));
        resource ??= Resources.Select(r => r.Resource)
            .Where(r => string.Equals((string?)r["type"], TypeOf(symbolOrId), StringComparison.OrdinalIgnoreCase)) // only these names are evaluated
            .FirstOrDefault(r => string.Equals(IdOf(r), symbolOrId, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"reference('{symbolOrId}'): no such resource in the template.");
        var type = (string)resource["type"]!;
        var name = (string)Evaluate(resource["name"])!;
        if (string.Equals(type, "Microsoft.Resources/deployments", StringComparison.OrdinalIgnoreCase))
        {
            var module = Module(name);
            var outputs = (module._template["outputs"]?.AsObject() ?? []).ToDictionary(o => o.Key,
                o => (object?)new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["value"] = module.Evaluate(o.Value!["value"]) }, StringComparer.OrdinalIgnoreCase);
            return new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["outputs"] = outputs };
        }
        return _deployment.Created(type, name, () => Evaluate(resource["properties"]));
    }

    /// <summary>The type in a resource id: <c>…/providers/Namespace/type/name/childType/childName</c> is <c>Namespace/type/childType</c>.</summary>
    private static string? TypeOf(string resourceId)
    {
        var at = resourceId.IndexOf("/providers/", StringComparison.OrdinalIgnoreCase);
        if (at < 0) return null;
        var segments = resourceId[(at + "/providers/".Length)..].Split('/');
        return string.Join('/', segments.Where((_, i) => i == 0 || i % 2 == 1));
    }

    private string IdOf(JsonObject resource) => ResourceId((string)resource["type"]!, ((string)Evaluate(resource["name"])!).Split('/'));

    private string ResourceId(string type, string[] names)
    {
        var types = type.Split('/'); // namespace/type/childType…
        var path = new StringBuilder(_deployment.ResourceGroupId).Append("/providers/").Append(types[0]);
        for (var i = 0; i < names.Length; i++) path.Append('/').Append(types[i + 1]).Append('/').Append(names[i]);
        return path.ToString();
    }

    private static object? Member(object? target, string name) => target is Dictionary<string, object?> d
        ? d.TryGetValue(name, out var value) ? value : throw new InvalidOperationException($"No property '{name}' in {string.Join(", ", d.Keys)}.")
        : throw new InvalidOperationException($"'.{name}' of a value that is not an object.");

    private static object? Index(object? target, object? key) => target switch
    {
        List<object?> list => list[Convert.ToInt32(key, CultureInfo.InvariantCulture)],
        Dictionary<string, object?> d => d[Text(key)],
        _ => throw new InvalidOperationException("Indexing a value that is neither an array nor an object."),
    };

    private static bool Truth(object? value) => value is true;

    private static string Text(object? value) => value switch
    {
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "True" : "False",
        _ => throw new InvalidOperationException($"Expected a string, got {value?.GetType().Name ?? "null"}."),
    };

    /// <summary>13 lower-case characters, stable for the same inputs (Resource Manager's own hash is not needed: only its shape).</summary>
    private static string UniqueString(IEnumerable<string> parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("|", parts)));
        return string.Concat(hash.Take(13).Select(b => "abcdefghijklmnopqrstuvwxyz234567"[b % 32]));
    }
}

/// <summary>Where a test deploys: the subscription and resource group, and what Azure returns for the resources it creates.</summary>
internal sealed class ArmDeployment
{
    private readonly Dictionary<string, Func<object?>> _secrets = new(StringComparer.OrdinalIgnoreCase);

    public string SubscriptionId { get; } = "00000000-0000-0000-0000-0000000000a1";
    public string TenantId { get; } = "00000000-0000-0000-0000-0000000000b2";
    public string ResourceGroup { get; } = "rg-coachflow-test";
    public string Location { get; } = "swedencentral";
    public string ResourceGroupId => $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}";

    /// <summary>The client id Azure gives the user-assigned identity.</summary>
    public string IdentityClientId { get; } = "11111111-2222-3333-4444-555555555555";

    public string ApplicationInsightsConnectionString { get; } =
        "InstrumentationKey=00000000-0000-0000-0000-0000000000c3;IngestionEndpoint=https://swedencentral-0.in.applicationinsights.azure.com/";

    /// <summary>
    /// The runtime properties <c>reference()</c> reads, as Azure returns them for each type the templates reference.
    /// A Key Vault secret also becomes resolvable by its URI (<see cref="SecretValue"/>): what an app setting's Key Vault reference reads.
    /// </summary>
    public object Created(string type, string name, Func<object?> properties)
    {
        Dictionary<string, object?> Props(params (string Key, object? Value)[] values) => values.ToDictionary(v => v.Key, v => v.Value, StringComparer.OrdinalIgnoreCase);
        switch (type.ToLowerInvariant())
        {
            case "microsoft.managedidentity/userassignedidentities":
                return Props(("clientId", IdentityClientId), ("principalId", "66666666-7777-8888-9999-000000000000"));
            case "microsoft.storage/storageaccounts":
                return Props(("primaryEndpoints", Props(
                    ("blob", $"https://{name}.blob.core.windows.net/"), ("queue", $"https://{name}.queue.core.windows.net/"), ("table", $"https://{name}.table.core.windows.net/"))));
            case "microsoft.keyvault/vaults/secrets":
                var (vault, secret) = (name.Split('/')[0], name.Split('/')[1]);
                var uri = $"https://{vault}.vault.azure.net/secrets/{secret}";
                _secrets[uri] = () => ((Dictionary<string, object?>)properties()!)["value"];
                return Props(("secretUri", uri));
            case "microsoft.insights/components":
                return Props(("ConnectionString", ApplicationInsightsConnectionString));
            default:
                throw new InvalidOperationException($"The test deployment does not know what Azure returns for a {type}: add it to ArmDeployment.");
        }
    }

    /// <summary>The value the deployment stored in the Key Vault secret at <paramref name="secretUri"/>.</summary>
    public string SecretValue(string secretUri) =>
        _secrets.TryGetValue(secretUri.TrimEnd('/'), out var value) ? (string)value()!
            : throw new InvalidOperationException($"No secret at {secretUri} in this deployment (known: {string.Join(", ", _secrets.Keys)}).");
}

/// <summary>An ARM template expression: a literal, a function call, <c>.member</c> or <c>[index]</c>.</summary>
internal abstract record ArmExpression
{
    public sealed record Literal(object Value) : ArmExpression;
    public sealed record Call(string Name, IReadOnlyList<ArmExpression> Arguments) : ArmExpression;
    public sealed record Member(ArmExpression Target, string Name) : ArmExpression;
    public sealed record Index(ArmExpression Target, ArmExpression Key) : ArmExpression;
}

/// <summary>Parses the inside of <c>"[…]"</c>: <c>f(a, 'text', 3).member[index]</c>.</summary>
internal sealed class ArmExpressionParser(string text)
{
    private int _at;

    public ArmExpression Parse()
    {
        var expression = Expression();
        Skip();
        return _at == text.Length ? expression : throw Error("the end of the expression");
    }

    private ArmExpression Expression()
    {
        Skip();
        ArmExpression expression;
        if (Peek() == '\'') expression = new ArmExpression.Literal(String());
        else if (char.IsAsciiDigit(Peek()) || Peek() == '-') expression = new ArmExpression.Literal(Number());
        else
        {
            var name = Identifier();
            Expect('(');
            var args = new List<ArmExpression>();
            Skip();
            if (Peek() != ')')
            {
                args.Add(Expression());
                for (Skip(); Peek() == ','; Skip()) { _at++; args.Add(Expression()); }
            }
            Expect(')');
            expression = new ArmExpression.Call(name, args);
        }
        while (true)
        {
            Skip();
            if (Peek() == '.') { _at++; expression = new ArmExpression.Member(expression, Identifier()); }
            else if (Peek() == '[') { _at++; var key = Expression(); Expect(']'); expression = new ArmExpression.Index(expression, key); }
            else return expression;
        }
    }

    private string String()
    {
        var value = new StringBuilder();
        _at++;
        while (true)
        {
            if (_at >= text.Length) throw Error("a closing quote");
            if (text[_at] == '\'')
            {
                if (_at + 1 < text.Length && text[_at + 1] == '\'') { value.Append('\''); _at += 2; continue; }
                _at++;
                return value.ToString();
            }
            value.Append(text[_at++]);
        }
    }

    private long Number()
    {
        var start = _at++;
        while (_at < text.Length && char.IsAsciiDigit(text[_at])) _at++;
        return long.Parse(text[start.._at], CultureInfo.InvariantCulture);
    }

    private string Identifier()
    {
        Skip();
        var start = _at;
        while (_at < text.Length && (char.IsAsciiLetterOrDigit(text[_at]) || text[_at] is '_' or '$' or '#')) _at++;
        return _at > start ? text[start.._at] : throw Error("a name");
    }

    private void Expect(char c)
    {
        Skip();
        if (Peek() != c) throw Error($"'{c}'");
        _at++;
    }

    private char Peek() => _at < text.Length ? text[_at] : '\0';

    private void Skip() { while (_at < text.Length && char.IsWhiteSpace(text[_at])) _at++; }

    private FormatException Error(string expected) => new($"Expected {expected} at {_at} in [{text}].");
}
