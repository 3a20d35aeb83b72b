using CoachFlow.Orchestrations.Activities;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Web.Effects;

/// <summary>
/// What an engagement's steps do, by kind: emails and coach notifications (<see cref="EmailEffects"/>), documents
/// (<see cref="DocumentWriter"/>). The activities call it through <see cref="IEngagementEffects"/>, once per effect
/// (<c>EffectSequence</c> keeps the delivery record); this folder is everything an activity does outside the read model.
/// </summary>
internal sealed class EngagementEffects(EmailEffects email, DocumentWriter documents) : IEngagementEffects
{
    public Task RunAsync(EffectContext context, WorkflowEffect effect, CancellationToken cancellationToken) => effect switch
    {
        SendEmail e => email.SendAsync(context, e, cancellationToken),
        NotifyCoach n => email.NotifyAsync(context, n, cancellationToken),
        WriteDocument d => documents.WriteAsync(context, d, cancellationToken),
        _ => throw new InvalidOperationException($"No handler for the effect {effect.GetType().Name}."),
    };
}
