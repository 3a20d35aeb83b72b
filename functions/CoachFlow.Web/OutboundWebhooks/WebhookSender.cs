using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using StandardWebhooks;

namespace CoachFlow.Web.OutboundWebhooks;

/// <summary>What one attempt came to: 2xx is delivered; anything else (a 3xx too: redirects are not followed) failed.</summary>
/// <param name="Error">Short: the status or what failed, never the response body.</param>
public sealed record DeliveryAttempt(bool Delivered, int? StatusCode, string? Error, DateTimeOffset At);

/// <summary>
/// Signs and sends one delivery as Standard Webhooks defines it: <c>webhook-id</c> (the delivery's, the same on every
/// attempt), <c>webhook-timestamp</c> (this attempt's, Unix seconds) and <c>webhook-signature</c> (<c>v1,</c> and the
/// Base64 HMAC-SHA256 of <c>id.timestamp.body</c> with the endpoint's <c>whsec_</c> secret, by the StandardWebhooks package).
/// </summary>
/// <remarks>
/// The HTTP client (<see cref="ClientName"/>) follows no redirect, gives up after <see cref="WebhookOptions.Timeout"/>, uses
/// no proxy and connects through <see cref="WebhookAddresses.ConnectAsync"/>, so outside development mode only public
/// addresses are reached. Its default request logging is removed: an endpoint URL may carry the receiver's own token.
/// </remarks>
public sealed class WebhookSender(IHttpClientFactory clients, IDataProtectionProvider protection, WebhookOptions options, TimeProvider time)
{
    public const string ClientName = "coachflow-webhooks";

    /// <summary>The Data Protection purpose endpoint secrets are protected under. WARNING: changing it makes every stored secret unreadable.</summary>
    public const string SecretPurpose = "CoachFlow.Webhooks.EndpointSecret.v1";

    private readonly IDataProtector _secrets = protection.CreateProtector(SecretPurpose);

    /// <summary>A new signing secret: <c>whsec_</c> and 32 random bytes in Base64, what Standard Webhooks libraries read.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string Protect(string secret) => _secrets.Protect(secret);

    public async Task<DeliveryAttempt> SendAsync(WebhookEndpoint endpoint, WebhookDelivery delivery, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(delivery);
        var now = time.GetUtcNow();
        var signer = new StandardWebhook(_secrets.Unprotect(endpoint.ProtectedSecret));
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", delivery.DeliveryId);
        request.Headers.Add("webhook-timestamp", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", signer.Sign(delivery.DeliveryId, now, delivery.Body));
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            return status switch
            {
                >= 200 and < 300 => new DeliveryAttempt(true, status, null, now),
                >= 300 and < 400 => new DeliveryAttempt(false, status, $"HTTP {status} {response.ReasonPhrase}: redirects are not followed; register the final URL".Trim(), now),
                _ => new DeliveryAttempt(false, status, $"HTTP {status} {response.ReasonPhrase}".Trim(), now),
            };
        }
        catch (HttpRequestException ex) when (ex.InnerException is WebhookAddressRefusedException refused)
        {
            return new DeliveryAttempt(false, null, $"refused: {refused.Message}", now);
        }
        catch (HttpRequestException ex)
        {
            return new DeliveryAttempt(false, null, Short($"could not connect: {ex.HttpRequestError}: {ex.Message}"), now);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new DeliveryAttempt(false, null, $"no answer within {options.Timeout.TotalSeconds:0} s", now);
        }
    }

    /// <summary>The handler every delivery goes through (see the remarks above).</summary>
    public static SocketsHttpHandler CreateHandler(WebhookOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = settings.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5), // a changed DNS answer is looked at again, and checked again
            ConnectCallback = (context, ct) => WebhookAddresses.ConnectAsync(context, settings.AllowPrivateNetworks, ct),
        };
    }

    private static string Short(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
