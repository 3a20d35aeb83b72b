using System.Collections.Immutable;

namespace CoachFlow.Email.Rendering;

/// <summary>
/// Email kinds that belong to no engagement: they go to the firm's own people (admins, sponsors) about their access,
/// so they are not in the engagement vocabulary (<c>EmailKinds</c>) that programs map to templates.
/// </summary>
public static class AccountEmailKinds
{
    /// <summary>A one-time link that signs a firm admin or sponsor in to the firm dashboard.</summary>
    public const string FirmSignIn = "firm-sign-in";

    public static readonly ImmutableList<string> All = [FirmSignIn];
}
