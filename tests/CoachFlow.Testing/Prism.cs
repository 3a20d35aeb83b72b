namespace CoachFlow.Testing;

/// <summary>
/// A real Prism (<c>@stoplight/prism-cli</c>) mocking SendGrid's Mail Send API from its OpenAPI spec, on a free loopback
/// port, with request validation on (<c>--errors</c>): a request the spec does not allow (a body, a header, a missing
/// key) is answered with an error (400/401/422) and an <c>sl-violations</c> header, never with a mock 2xx.
/// </summary>
/// <remarks>
/// The spec is SendGrid's <c>tsg_mail_v3.json</c> (twilio/sendgrid-oai) from <c>&lt;repo&gt;/../shared/specs/sendgrid/</c>
/// when present (CI lays a read-only copy of shared/ beside the clone), else the copy kept in
/// <c>tests/CoachFlow.Email.Tests/specs/sendgrid/</c>, which the email tests hold equal to it. Prism reads it offline
/// and answers within about 1.5 s of starting on an idle machine.
/// </remarks>
public sealed class PrismProcess : LocalService
{
    public int Port { get; private set; }

    /// <summary>Where SendGrid's API is served: give it to the SendGrid transport as its base URL.</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}");

    /// <summary>The Mail Send spec Prism serves.</summary>
    public static string SpecPath
    {
        get
        {
            var shared = Path.GetFullPath(Path.Combine(Repository.Root, "..", "shared", "specs", "sendgrid", "tsg_mail_v3.json"));
            return File.Exists(shared) ? shared : Path.Combine(Repository.Root, "tests", "CoachFlow.Email.Tests", "specs", "sendgrid", "tsg_mail_v3.json");
        }
    }

    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static Task<PrismProcess> StartAsync() => StartOnFreePortsAsync(async (PrismProcess prism) =>
    {
        prism.Port = Repository.FreePort();
        prism.Start("prism", "mock", SpecPath, "--host", "127.0.0.1", "--port", $"{prism.Port}", "--errors", "--verboseLevel", "warn");
        await prism.WaitUntilAsync(() => AnswersAsPrismAsync(prism.Port), "Prism");
    });

    /// <summary>
    /// True once the port answers as Prism does: a Mail Send request without its body is refused with Prism's
    /// <c>sl-violations</c> header. Anything else answering there is an error (another process took the port).
    /// </summary>
    private static async Task<bool> AnswersAsPrismAsync(int port)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://127.0.0.1:{port}/v3/mail/send"))
        {
            Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "SG.probe");
        HttpResponseMessage response;
        try
        {
            response = await Probe.SendAsync(request);
        }
        catch (TaskCanceledException)
        {
            return false; // a busy machine: ask again until the deadline
        }
        using var _ = response;
        return response.Headers.Contains("sl-violations")
            ? true
            : throw new InvalidOperationException($"Port {port} is answered by something other than Prism (HTTP {(int)response.StatusCode}).");
    }
}
