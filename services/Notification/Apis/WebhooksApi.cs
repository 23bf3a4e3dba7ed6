using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Pipeline.Notification.Domain;
using Pipeline.Notification.Infrastructure;
using Pipeline.Notification.Webhooks;
using Pipeline.ServiceDefaults;

namespace Pipeline.Notification.Apis;

public sealed record CreateWebhookRequest(string? Url, IReadOnlyList<string>? Events, string? Description);

public sealed record WebhookResponse(
    Guid Id, string Url, IReadOnlyList<string> Events, string? Description, string Status, DateTimeOffset CreatedAt, DateTimeOffset? PausedAt,
    DateTimeOffset? PreviousSecretExpiresAt)
{
    public static WebhookResponse From(WebhookSubscription s) =>
        new(s.Id, s.Url, s.Events, s.Description, s.Status, s.CreatedAt, s.PausedAt, s.PreviousSecret is null ? null : s.PreviousSecretExpiresAt);
}

/// <summary>The answer to a creation: the subscription and its secret, shown this once.</summary>
public sealed record CreatedWebhookResponse(
    Guid Id, string Url, IReadOnlyList<string> Events, string? Description, string Status, DateTimeOffset CreatedAt, string Secret);

public sealed record RotatedSecretResponse(string Secret, DateTimeOffset PreviousSecretExpiresAt);

public sealed record WebhookList(IReadOnlyList<WebhookResponse> Items);

public sealed record DeliveryResponse(
    Guid Id, string Event, string Status, int Attempts, int? LastStatusCode, string? LastError, DateTimeOffset? NextAttemptAt, DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt)
{
    public static DeliveryResponse From(WebhookDelivery d) =>
        new(d.Id, d.Event, d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null, d.CreatedAt,
            d.CompletedAt);
}

public sealed record DeliveryPage(IReadOnlyList<DeliveryResponse> Items, string? NextCursor);

/// <summary>
/// Webhook subscriptions (admins only): a URL receives the organisation's chosen events, each delivery signed with
/// the subscription's secret (SPEC §5). The delivery log, redelivery, secret rotation with an overlap, and resuming
/// a subscription paused after repeated failures.
/// </summary>
public static class WebhooksApi
{
    public const int UrlMaxLength = 2000;
    public const int DescriptionMaxLength = 500;
    public const int MaxDeliveriesPage = 100;

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var webhooks = app.MapGroup("/api/webhooks").WithTags("Webhooks").RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        webhooks.MapGet("/", ListAsync).WithName("ListWebhooks").WithSummary("The organisation's webhook subscriptions.");
        webhooks.MapPost("/", CreateAsync).WithName("CreateWebhook")
            .WithSummary("Subscribes a URL to event types; the answer shows the signing secret, once.")
            .ProducesValidationProblem()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        webhooks.MapGet("/{id:guid}", GetAsync).WithName("GetWebhook").ProducesProblem(StatusCodes.Status404NotFound).WithSummary("One subscription (without its secret).");
        webhooks.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteWebhook").ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Removes a subscription and its delivery log; nothing more is delivered.");
        webhooks.MapGet("/{id:guid}/deliveries", DeliveriesAsync).WithName("ListDeliveries")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The subscription's delivery log, newest first, paged (?status=pending|succeeded|failed).")
            .ProducesValidationProblem();
        webhooks.MapPost("/{id:guid}/rotate-secret", RotateSecretAsync).WithName("RotateWebhookSecret")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A new secret, shown once; deliveries are signed with both until the previous one expires.");
        webhooks.MapPost("/{id:guid}/resume", ResumeAsync).WithName("ResumeWebhook").ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Resumes a paused subscription.");
        webhooks.MapPost("/deliveries/{id:guid}/redeliver", RedeliverAsync).WithName("Redeliver")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Sends a delivery again, with the same delivery id, and a new retry period.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<Ok<WebhookList>> ListAsync(NotificationDbContext db, CancellationToken cancellationToken)
    {
        var subscriptions = await db.Subscriptions.AsNoTracking().OrderBy(s => s.CreatedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(new WebhookList(subscriptions.Select(WebhookResponse.From).ToList()));
    }

    private static async Task<Results<Created<CreatedWebhookResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateWebhookRequest request, NotificationDbContext db, CurrentUser caller, IOptions<WebhookOptions> options, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var url = request.Url?.Trim();
        Uri? target = null;
        if (string.IsNullOrEmpty(url))
        {
            errors["url"] = ["Required: the http or https address that receives the deliveries."];
        }
        else if (url.Length > UrlMaxLength)
        {
            errors["url"] = [$"At most {UrlMaxLength} characters."];
        }
        else if (!Uri.TryCreate(url, UriKind.Absolute, out target) || target.Scheme is not ("http" or "https") || target.Host.Length == 0)
        {
            errors["url"] = ["An absolute http:// or https:// address."];
        }
        else if (target.UserInfo.Length > 0)
        {
            errors["url"] = ["No user name or password in the address: verify deliveries with the signature instead."];
        }

        var events = request.Events ?? [];
        if (events.Count == 0)
        {
            errors["events"] = [$"At least one of {string.Join(", ", WebhookEvents.Names)}."];
        }

        for (var i = 0; i < events.Count; i++)
        {
            if (!WebhookEvents.Names.Contains(events[i]))
            {
                errors[$"events[{i}]"] = [$"'{events[i]}' is not an event type: one of {string.Join(", ", WebhookEvents.Names)}."];
            }
        }

        var description = request.Description?.Trim();
        if (description is { Length: > DescriptionMaxLength })
        {
            errors["description"] = [$"At most {DescriptionMaxLength} characters."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The request is not valid.");
        }

        if (await RefusalAsync(target!, options.Value.Outbound, cancellationToken) is { } refusal)
        {
            return Unprocessable("url", refusal);
        }

        var subscription = new WebhookSubscription
        {
            Id = Guid.NewGuid(), Url = target!.ToString(), Events = events.Distinct().ToList(), Description = string.IsNullOrEmpty(description) ? null : description,
            Secret = WebhookEvents.NewSecret(), CreatedBy = caller.Id, CreatedAt = clock.GetUtcNow(),
        };
        db.Subscriptions.Add(subscription);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/webhooks/{subscription.Id}", new CreatedWebhookResponse(
            subscription.Id, subscription.Url, subscription.Events, subscription.Description, subscription.Status, subscription.CreatedAt, subscription.Secret));
    }

    /// <summary>
    /// Refuses, at subscription time already, an address the deliveries could not reach: an IP literal or a name that
    /// resolves, now, to a refused address. (Each delivery checks again where it connects: DNS can change.)
    /// </summary>
    private static async Task<string?> RefusalAsync(Uri target, OutboundOptions options, CancellationToken cancellationToken)
    {
        var host = target.IdnHost.Trim('[', ']');
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                using var lookup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                lookup.CancelAfter(TimeSpan.FromSeconds(5));
                addresses = await Dns.GetHostAddressesAsync(host, lookup.Token);
            }
            catch (Exception exception) when (exception is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return $"'{host}' does not resolve to an address.";
            }
        }

        foreach (var address in addresses)
        {
            if (OutboundAddresses.Refusal(address, options) is { } reason)
            {
                return $"'{host}' is {address}, {reason}: webhooks may not reach it.";
            }
        }

        return addresses.Length == 0 ? $"'{host}' does not resolve to an address." : null;
    }

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> GetAsync(Guid id, NotificationDbContext db, CancellationToken cancellationToken) =>
        await db.Subscriptions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, cancellationToken) is { } subscription
            ? TypedResults.Ok(WebhookResponse.From(subscription))
            : NotFound("Webhook subscription");

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, NotificationDbContext db, CancellationToken cancellationToken)
    {
        var removed = await db.Subscriptions.Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken);
        return removed == 0 ? NotFound("Webhook subscription") : TypedResults.NoContent();
    }

    private static async Task<Results<Ok<DeliveryPage>, ValidationProblem, ProblemHttpResult>> DeliveriesAsync(
        Guid id, string? status, string? cursor, int? limit, NotificationDbContext db, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (status is not (null or DeliveryStatus.Pending or DeliveryStatus.Succeeded or DeliveryStatus.Failed))
        {
            errors["status"] = ["pending, succeeded or failed."];
        }

        var take = limit ?? 50;
        if (take is < 1 or > MaxDeliveriesPage)
        {
            errors["limit"] = [$"From 1 to {MaxDeliveriesPage}."];
        }

        var after = cursor is null ? null : PageCursor.Parse(cursor);
        if (cursor is not null && after is null)
        {
            errors["cursor"] = ["Not a cursor this API gave: pass nextCursor back as it is."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The request is not valid.");
        }

        if (!await db.Subscriptions.AnyAsync(s => s.Id == id, cancellationToken))
        {
            return NotFound("Webhook subscription");
        }

        var query = db.Deliveries.AsNoTracking().Where(d => d.SubscriptionId == id);
        if (status is not null)
        {
            query = query.Where(d => d.Status == status);
        }

        if (after is { } position)
        {
            query = query.Where(d => d.CreatedAt < position.CreatedAt || (d.CreatedAt == position.CreatedAt && d.Id.CompareTo(position.Id) < 0));
        }

        var page = await query.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(take + 1).ToListAsync(cancellationToken);
        var next = page.Count > take ? PageCursor.Of(page[take - 1].CreatedAt, page[take - 1].Id) : null;
        return TypedResults.Ok(new DeliveryPage(page.Take(take).Select(DeliveryResponse.From).ToList(), next));
    }

    private static async Task<Results<Ok<RotatedSecretResponse>, ProblemHttpResult>> RotateSecretAsync(
        Guid id, NotificationDbContext db, IOptions<WebhookOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var subscription = await db.Subscriptions.SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (subscription is null)
        {
            return NotFound("Webhook subscription");
        }

        var expires = clock.GetUtcNow() + options.Value.SecretOverlap;
        subscription.PreviousSecret = subscription.Secret;
        subscription.PreviousSecretExpiresAt = expires;
        subscription.Secret = WebhookEvents.NewSecret();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new RotatedSecretResponse(subscription.Secret, expires));
    }

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> ResumeAsync(
        Guid id, NotificationDbContext db, DeliverySignals signals, CancellationToken cancellationToken)
    {
        var subscription = await db.Subscriptions.SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (subscription is null)
        {
            return NotFound("Webhook subscription");
        }

        subscription.Status = SubscriptionStatus.Active;
        subscription.PausedAt = null;
        subscription.ConsecutiveFailures = 0;
        await db.SaveChangesAsync(cancellationToken);
        signals.Webhooks.Set();
        return TypedResults.Ok(WebhookResponse.From(subscription));
    }

    private static async Task<Results<Accepted<DeliveryResponse>, ProblemHttpResult>> RedeliverAsync(
        Guid id, NotificationDbContext db, IOptions<WebhookOptions> options, DeliverySignals signals, TimeProvider clock, CancellationToken cancellationToken)
    {
        var delivery = await db.Deliveries.SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (delivery is null)
        {
            return NotFound("Webhook delivery");
        }

        if (delivery.Status == DeliveryStatus.Pending)
        {
            return TypedResults.Problem(title: "Not possible now", detail: "The delivery is still being attempted.", statusCode: StatusCodes.Status409Conflict);
        }

        var subscription = await db.Subscriptions.AsNoTracking().SingleAsync(s => s.Id == delivery.SubscriptionId, cancellationToken);
        if (subscription.Status == SubscriptionStatus.Paused)
        {
            return Unprocessable("status", "The subscription is paused: resume it first.");
        }

        var now = clock.GetUtcNow();
        delivery.Status = DeliveryStatus.Pending;
        delivery.NextAttemptAt = now;
        delivery.RetryUntil = now + options.Value.RetryFor;
        delivery.CompletedAt = null;
        await db.SaveChangesAsync(cancellationToken);
        signals.Webhooks.Set();
        return TypedResults.Accepted($"/api/webhooks/{delivery.SubscriptionId}/deliveries", DeliveryResponse.From(delivery));
    }

    private static ProblemHttpResult NotFound(string what) => TypedResults.Problem(title: $"{what} not found", statusCode: StatusCodes.Status404NotFound);

    private static ProblemHttpResult Unprocessable(string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Title = "The request cannot be carried out.",
            Status = StatusCodes.Status422UnprocessableEntity,
        });
}
