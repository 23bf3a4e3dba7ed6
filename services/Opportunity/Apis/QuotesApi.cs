using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Pipeline.Messaging.Organizations;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Opportunity.Apis;

// The sales domain's Opportunity: from inside namespace Pipeline.Opportunity, C# would find the namespace first.
using Opportunity = Pipeline.Opportunity.Domain.Opportunity;

public sealed record CreateQuoteRequest(decimal? Amount, string? Currency, DateOnly? ValidUntil);

public sealed record DeclineQuoteRequest(string? Reason);

/// <summary>
/// Quotes on an opportunity: drafted, sent to the customer, then accepted, declined or expired (see
/// <see cref="QuoteExpiry"/>). Whoever may read the deal reads its quotes; whoever may change it makes and sends them.
/// </summary>
public static class QuotesApi
{
    public const int DeclineReasonMaxLength = 500;

    public static IEndpointRouteBuilder MapQuotesApi(this IEndpointRouteBuilder app)
    {
        var onDeal = app.MapGroup("/api/opportunities/{id:guid}/quotes").WithTags("Quotes");
        onDeal.MapPost("/", CreateAsync).WithName("CreateQuote").Answers<QuoteResponse>(StatusCodes.Status201Created, 400, 403, 404, 422).WithSummary("Drafts a quote on an open opportunity, numbered Q-000001, Q-000002, ... per organisation.");
        onDeal.MapGet("/", ListAsync).WithName("ListQuotes").Answers<List<QuoteResponse>>(StatusCodes.Status200OK, 403, 404).WithSummary("The opportunity's quotes, oldest first.");

        var quotes = app.MapGroup("/api/quotes").WithTags("Quotes");
        quotes.MapGet("/{id:guid}", GetAsync).WithName("GetQuote").Answers<QuoteResponse>(StatusCodes.Status200OK, 403, 404).WithSummary("One quote.");
        quotes.MapPost("/{id:guid}/send", SendAsync).WithName("SendQuote").Answers<QuoteResponse>(StatusCodes.Status200OK, 403, 404, 409, 422).WithSummary("Sends a draft to the customer (publishes QuoteSent).");
        quotes.MapPost("/{id:guid}/accept", AcceptAsync).WithName("AcceptQuote").Answers<QuoteResponse>(StatusCodes.Status200OK, 403, 404, 409, 422).WithSummary("Records that the customer accepted a sent quote.");
        quotes.MapPost("/{id:guid}/decline", DeclineAsync).WithName("DeclineQuote").Answers<QuoteResponse>(StatusCodes.Status200OK, 400, 403, 404, 409, 422).WithSummary("Records that the customer declined a sent quote, with an optional reason.");
        return app;
    }

    private static async Task<IResult> CreateAsync(
        Guid id, CreateQuoteRequest request, OpportunityDbContext db, SalesAccess access, TimeProvider clock, IMemoryCache cache,
        CancellationToken cancellationToken)
    {
        var (opportunity, refused) = await DealAccess.ChangeableAsync(id, db, access, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var now = clock.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        OpportunitiesApi.ValidateMoney(request.Amount, request.Currency, errors, required: true);
        if (request.ValidUntil is { } validUntil && validUntil < await TodayAsync(db, cache, now, cancellationToken))
        {
            errors["validUntil"] = ["A quote cannot be valid only until a day already past."];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        if (opportunity!.CannotQuote("made") is { } closed)
        {
            return Problems.Unprocessable("status", closed);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var quote = new Quote
        {
            Id = Guid.NewGuid(),
            OrganizationId = opportunity.OrganizationId,
            OpportunityId = opportunity.Id,
            Number = await QuoteNumbers.TakeNextAsync(db, opportunity.OrganizationId, cancellationToken),
            Amount = request.Amount!.Value,
            Currency = request.Currency!,
            ValidUntil = request.ValidUntil,
            CreatedAt = now,
            Version = 1,
        };
        db.Quotes.Add(quote);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/quotes/{quote.Id}", QuoteResponse.From(quote));
    }

    private static async Task<IResult> ListAsync(Guid id, OpportunityDbContext db, SalesAccess access, CancellationToken cancellationToken)
    {
        var (_, refused) = await DealAccess.ReadableAsync(id, db, access, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var quotes = await db.Quotes.AsNoTracking().Where(q => q.OpportunityId == id)
            .OrderBy(q => q.CreatedAt).ThenBy(q => q.Number).ToListAsync(cancellationToken);
        return TypedResults.Ok(quotes.Select(QuoteResponse.From).ToList());
    }

    private static async Task<IResult> GetAsync(Guid id, OpportunityDbContext db, SalesAccess access, CancellationToken cancellationToken)
    {
        var quote = await db.Quotes.AsNoTracking().SingleOrDefaultAsync(q => q.Id == id, cancellationToken);
        if (quote is null)
        {
            return Problems.NotFound("Quote");
        }

        var (_, refused) = await DealAccess.ReadableAsync(quote.OpportunityId, db, access, cancellationToken);
        return refused ?? TypedResults.Ok(QuoteResponse.From(quote));
    }

    private static Task<IResult> SendAsync(
        Guid id, OpportunityDbContext db, SalesAccess access, CurrentUser caller, TimeProvider clock, IMemoryCache cache, CancellationToken cancellationToken) =>
        AnswerAsync(id, db, access, clock, cache, cancellationToken, (quote, opportunity, now, today) =>
        {
            if (quote.Status != QuoteStatus.Draft)
            {
                return Problems.Unprocessable("status", $"The quote is already {quote.Status}: only a draft is sent.");
            }

            if (opportunity.CannotQuote("sent") is { } closed)
            {
                return Problems.Unprocessable("status", closed);
            }

            if (quote.ValidUntil is { } validUntil && validUntil < today)
            {
                return Problems.Unprocessable("validUntil", $"The quote was valid until {validUntil:yyyy-MM-dd}: make a new one.");
            }

            quote.Status = QuoteStatus.Sent;
            quote.SentAt = now;
            db.Publish(QuoteEvents.Sent(quote, opportunity, caller.Id));
            return null;
        });

    private static Task<IResult> AcceptAsync(
        Guid id, OpportunityDbContext db, SalesAccess access, CurrentUser caller, TimeProvider clock, IMemoryCache cache, CancellationToken cancellationToken) =>
        AnswerAsync(id, db, access, clock, cache, cancellationToken, (quote, _, now, today) =>
        {
            if (NotAwaitingAnswer(quote) is { } problem)
            {
                return problem;
            }

            // The hourly expiry may not have passed yet: a lapsed offer cannot be taken up.
            if (quote.ValidUntil is { } validUntil && validUntil < today)
            {
                return Problems.Unprocessable("validUntil", $"The quote was valid until {validUntil:yyyy-MM-dd}: it can no longer be accepted.");
            }

            quote.Status = QuoteStatus.Accepted;
            quote.AnsweredAt = now;
            db.Publish(QuoteEvents.Accepted(quote, caller.Id));
            return null;
        });

    private static async Task<IResult> DeclineAsync(
        Guid id, DeclineQuoteRequest? request, OpportunityDbContext db, SalesAccess access, CurrentUser caller, TimeProvider clock,
        IMemoryCache cache, CancellationToken cancellationToken)
    {
        var reason = OpportunitiesApi.Trim(request?.Reason);
        if (reason is { Length: > DeclineReasonMaxLength })
        {
            return Problems.Invalid("reason", $"The reason has at most {DeclineReasonMaxLength} characters.");
        }

        return await AnswerAsync(id, db, access, clock, cache, cancellationToken, (quote, _, now, today) =>
        {
            if (NotAwaitingAnswer(quote) is { } problem)
            {
                return problem;
            }

            quote.Status = QuoteStatus.Declined;
            quote.AnsweredAt = now;
            quote.DeclineReason = reason;
            db.Publish(QuoteEvents.Declined(quote, caller.Id));
            return null;
        });
    }

    private static IResult? NotAwaitingAnswer(Quote quote) => quote.Status switch
    {
        QuoteStatus.Sent => null,
        QuoteStatus.Draft => Problems.Unprocessable("status", "The quote was never sent: send it before recording the customer's answer."),
        _ => Problems.Unprocessable("status", $"The quote is already {quote.Status}."),
    };

    /// <summary>
    /// Loads the quote and its deal, checks the caller may change the deal, applies the step and saves. The
    /// quote's version guards the step: of a send, an answer and the expiry racing, one wins and the others
    /// answer 409, so a quote is never both accepted and expired.
    /// </summary>
    private static async Task<IResult> AnswerAsync(
        Guid id, OpportunityDbContext db, SalesAccess access, TimeProvider clock, IMemoryCache cache, CancellationToken cancellationToken,
        Func<Quote, Opportunity, DateTimeOffset, DateOnly, IResult?> step)
    {
        var quote = await db.Quotes.SingleOrDefaultAsync(q => q.Id == id, cancellationToken);
        if (quote is null)
        {
            return Problems.NotFound("Quote");
        }

        var (opportunity, refused) = await DealAccess.ChangeableAsync(quote.OpportunityId, db, access, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var now = clock.GetUtcNow();
        if (step(quote, opportunity!, now, await TodayAsync(db, cache, now, cancellationToken)) is { } problem)
        {
            return problem;
        }

        quote.Version++;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("The quote changed at the same moment (answered or expired): read it again.");
        }

        return TypedResults.Ok(QuoteResponse.From(quote));
    }

    /// <summary>A quote is valid until the end of its day in the organisation's time zone.</summary>
    private static async Task<DateOnly> TodayAsync(OpportunityDbContext db, IMemoryCache cache, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await OrganizationProfiles.CurrentAsync(db, cache, cancellationToken)).Calendar.DayOf(now);
}
