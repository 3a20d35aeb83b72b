using System.Net;
using System.Net.Sockets;
using CoachFlow.Orchestrations;

namespace CoachFlow.Web.OutboundWebhooks;

/// <summary>
/// Which addresses an endpoint may point at. Outside development mode (<see cref="WebhookOptions.AllowPrivateNetworks"/>)
/// CoachFlow talks to public addresses only, so a registered URL cannot reach the machine it runs on or its network
/// (server-side request forgery): checked when the URL is registered, and again on every connection, at the address
/// actually connected to (a name that resolves differently later is caught then).
/// </summary>
public static class WebhookAddresses
{
    /// <summary>
    /// False for loopback, private (10/8, 172.16/12, 192.168/16), link-local (169.254/16, fe80::/10), unique-local
    /// (fc00::/7), site-local (fec0::/10), carrier-grade NAT (100.64/10), "this network" (0/8), multicast, broadcast and
    /// unspecified addresses, and for IPv4 addresses of those kinds inside IPv6 (mapped <c>::ffff:a.b.c.d</c>, the
    /// NAT64 prefix <c>64:ff9b::/96</c>, 6to4 <c>2002::/16</c>).
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6) return IsPublic(address.MapToIPv4());
        if (address.AddressFamily == AddressFamily.InterNetwork) return IsPublicV4(address.GetAddressBytes());
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return false;
        var b = address.GetAddressBytes();
        if (address.Equals(IPAddress.IPv6Loopback) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6None)) return false;
        if (b[0] == 0xff) return false; // multicast
        if ((b[0] & 0xfe) == 0xfc) return false; // unique-local fc00::/7
        if (b[0] == 0xfe && (b[1] & 0xc0) is 0x80 or 0xc0) return false; // link-local fe80::/10, site-local fec0::/10
        if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..12].All(x => x == 0)) return IsPublicV4(b[12..]); // NAT64
        if (b[0] == 0x20 && b[1] == 0x02) return IsPublicV4(b[2..6]); // 6to4 carries an IPv4 address too
        if (b[..10].All(x => x == 0) && b[10] == 0 && b[11] == 0) return false; // ::/96, IPv4-compatible (deprecated) and the like
        return true;
    }

    private static bool IsPublicV4(byte[] b) => b switch
    {
        [0, ..] => false, // "this network", 0.0.0.0
        [10, ..] => false,
        [127, ..] => false,
        [169, 254, ..] => false,
        [172, >= 16 and <= 31, ..] => false,
        [192, 168, ..] => false,
        [100, >= 64 and <= 127, ..] => false, // carrier-grade NAT
        [>= 224, ..] => false, // multicast 224/4, reserved 240/4 and broadcast
        _ => true,
    };

    /// <summary>
    /// Checks an endpoint URL as typed: absolute, https (or http in development mode), no user name or password in it,
    /// no fragment, at most <see cref="WebhookOptions.MaxUrlLength"/> characters; outside development mode its host must
    /// resolve, and only to public addresses. Throws <see cref="BadInputException"/> saying what is wrong.
    /// </summary>
    public static async Task<Uri> CheckAsync(string? url, bool allowPrivateNetworks, CancellationToken ct)
    {
        var text = url?.Trim();
        if (string.IsNullOrEmpty(text)) throw new BadInputException("Give the endpoint's 'url', an https URL such as https://hooks.example.com/coachflow.");
        if (text.Length > WebhookOptions.MaxUrlLength) throw new BadInputException($"The url is at most {WebhookOptions.MaxUrlLength} characters ({text.Length} sent).");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.Host.Length == 0)
            throw new BadInputException($"'{Shown(text)}' is not an absolute http(s) URL; give one such as https://hooks.example.com/coachflow.");
        if (uri.Scheme != Uri.UriSchemeHttps && !allowPrivateNetworks)
            throw new BadInputException("The url must use https: deliveries carry a signature, and plain http would let anyone on the way read them.");
        if (uri.UserInfo.Length > 0) throw new BadInputException("The url must not carry a user name or password; the signature authenticates CoachFlow to the endpoint.");
        if (uri.Fragment.Length > 0) throw new BadInputException("The url must not have a fragment (#…): it is never sent.");
        if (allowPrivateNetworks) return uri;

        IPAddress[] addresses;
        if (IPAddress.TryParse(uri.DnsSafeHost, out var literal)) addresses = [literal];
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(uri.DnsSafeHost, ct);
            }
            catch (SocketException)
            {
                throw new BadInputException($"The host '{uri.Host}' could not be resolved; give an endpoint on the public internet.");
            }
        }
        if (addresses.Length == 0) throw new BadInputException($"The host '{uri.Host}' could not be resolved; give an endpoint on the public internet.");
        if (addresses.FirstOrDefault(a => !IsPublic(a)) is { } refused)
            throw new BadInputException($"The host '{uri.Host}' is (or resolves to) {refused}, a loopback, private or otherwise non-public address; CoachFlow delivers only to public addresses.");
        return uri;
    }

    /// <summary>
    /// Opens the connection for a delivery: resolves the host and connects to the first address that is allowed, refusing
    /// non-public ones outside development mode. Used as <see cref="SocketsHttpHandler.ConnectCallback"/>.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivateNetworks, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var allowed = allowPrivateNetworks ? addresses : [.. addresses.Where(IsPublic)];
        if (allowed.Length == 0)
            throw new WebhookAddressRefusedException($"{host} resolves to no public address; CoachFlow delivers only to public addresses.");
        SocketException? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    private static string Shown(string text) => text.Length <= 100 ? text : text[..100] + "…";
}

/// <summary>A delivery's host is, or resolves to, an address CoachFlow does not deliver to.</summary>
public sealed class WebhookAddressRefusedException(string message) : IOException(message);
