namespace CoachFlow.Web.Links;

/// <summary>The key emailed links are signed with.</summary>
public sealed class LinkSigningOptions
{
    /// <summary>The configuration section the host binds.</summary>
    public const string Section = "CoachFlow:Links";

    /// <summary>
    /// At least 32 characters (a Key Vault secret in Azure). Unset in Development: a key generated once and kept in
    /// storage. Rotating it makes every link already sent stop verifying.
    /// </summary>
    public string? SigningKey { get; set; }
}
