namespace CoachFlow.Web.Email;

/// <summary>Where emailed links point and how long they last (keys <c>CoachFlow:PublicBaseUrl</c>, <c>CoachFlow:Lifetime</c>).</summary>
public sealed class LinkOptions
{
    /// <summary>The configuration section the host binds: the root of CoachFlow's settings.</summary>
    public const string Section = "CoachFlow";

    /// <summary>
    /// The public address of this app, e.g. https://coaching.yourfirm.example: links are built on it and the dashboard's
    /// cookie is Secure when it is https. The default reaches the local host; outside Development it must be set.
    /// </summary>
    public Uri PublicBaseUrl { get; set; } = new("http://127.0.0.1:7071");

    /// <summary>How long a link stays usable unless its purpose says otherwise.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(30);
}
