using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Infrastructure;

namespace Pipeline.Opportunity.Import;

// The sales domain's Opportunity: from inside namespace Pipeline.Opportunity, C# would find the namespace first.
using Opportunity = Pipeline.Opportunity.Domain.Opportunity;

/// <summary>
/// Replays an imported deal's journey (<see cref="ImportHistory"/>) at the times it happened, through the same
/// writer and events as live changes: stage moves, decision dates, quotes sent and answered, activities scheduled
/// and done. Consumers see a deal that lived, not one that appeared in its last stage.
/// </summary>
internal sealed class HistoryReplay(OpportunityDbContext db, OpportunityWriter writer, string? actorId, DateTimeOffset now)
{
    /// <summary>Quote numbers the replays of a batch still need (<see cref="Apply"/> takes one per quote).</summary>
    public static int QuotesIn(IEnumerable<ImportedDeal> deals) => deals.Sum(d => d.History.Count(s => s.Quote is not null));

    public void Apply(Opportunity opportunity, ImportedDeal deal, Queue<string> quoteNumbers)
    {
        var stage = deal.Stage;
        foreach (var step in deal.History)
        {
            if (step.Stage is { } name)
            {
                var to = ImportHistory.StageNamed(deal.Pipeline, name);
                if (to.Id != stage.Id)
                {
                    writer.MoveToStage(opportunity, stage, to, actorId, step.At);
                    stage = to;
                }
            }
            else if (step.DecisionDate is { } date && step.At != deal.CreatedAt)
            {
                writer.Update(opportunity, o => o.ExpectedDecisionDate = date, actorId, step.At);
            }
            else if (step.Quote is { } quote)
            {
                AddQuote(opportunity, quote, step.At, quoteNumbers.Dequeue());
            }
            else if (step.Activity is { } activity)
            {
                AddActivity(opportunity, activity, step.At);
            }
        }
    }

    private void AddQuote(Opportunity opportunity, HistoryQuote step, DateTimeOffset sentAt, string number)
    {
        var quote = new Quote
        {
            Id = Guid.NewGuid(), OrganizationId = opportunity.OrganizationId, OpportunityId = opportunity.Id, Number = number,
            Amount = step.Amount, Currency = step.Currency ?? opportunity.Currency, ValidUntil = step.ValidUntil, Status = QuoteStatus.Sent,
            CreatedAt = sentAt, SentAt = sentAt, Version = 1,
        };
        db.Quotes.Add(quote);
        db.Publish(QuoteEvents.Sent(quote, opportunity, actorId));
        if (step.Answer is { } answer)
        {
            quote.Status = answer;
            quote.AnsweredAt = step.AnsweredAt;
            quote.DeclineReason = answer == QuoteStatus.Declined ? step.Reason : null;
            quote.Version++;
            db.Publish(answer == QuoteStatus.Accepted ? QuoteEvents.Accepted(quote, actorId) : QuoteEvents.Declined(quote, actorId));
        }
        else if (quote.ValidUntil is { } validUntil && validUntil < DateOnly.FromDateTime(now.UtcDateTime))
        {
            // Unanswered past its validity before the migration: it lapsed then, as the expiry sweep would have said.
            var lapsedAt = new DateTimeOffset(validUntil.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            quote.Status = QuoteStatus.Expired;
            quote.Version++;
            db.Publish(QuoteEvents.Expired(quote.OrganizationId, quote.OpportunityId, quote.Id, quote.Number, lapsedAt));
        }
    }

    private void AddActivity(Opportunity opportunity, HistoryActivity step, DateTimeOffset scheduledAt)
    {
        var activity = new SalesActivity
        {
            Id = Guid.NewGuid(), OrganizationId = opportunity.OrganizationId, OpportunityId = opportunity.Id, Type = step.Type,
            Subject = step.Subject.Trim(), DueAt = step.DueAt?.ToUniversalTime(), AssigneeId = opportunity.OwnerId, CreatedAt = scheduledAt,
            CreatedBy = actorId,
        };
        db.Activities.Add(activity);
        db.Publish(ActivityEvents.Scheduled(activity, actorId));
        if (step.DoneAt is { } doneAt)
        {
            activity.Done = true;
            activity.CompletedAt = doneAt;
            if (doneAt > opportunity.LastActivityAt)
            {
                opportunity.LastActivityAt = doneAt;
            }

            db.Publish(ActivityEvents.Completed(activity, actorId));
        }
    }
}
