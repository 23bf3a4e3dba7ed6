using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pipeline.Notification.Domain;
using Pipeline.Notification.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Notification.Apis;

public sealed record NotificationPage(IReadOnlyList<NotificationView> Items, string? NextCursor, int UnreadCount);

public sealed record MarkedRead(int Marked);

/// <summary>The caller's in-app inbox: only their own items, newest first.</summary>
public static class NotificationsApi
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var inbox = app.MapGroup("/api/notifications").WithTags("Notifications").RequireAuthorization(InboxAccess.Policy)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        inbox.MapGet("/", ListAsync).WithName("ListNotifications")
            .WithSummary("The caller's notifications, newest first (?unread for unread ones only), paged, with the unread count.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden);
        inbox.MapPost("/{id:guid}/read", MarkReadAsync).WithName("MarkRead")
            .WithSummary("Marks one of the caller's notifications read.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        inbox.MapPost("/read-all", MarkAllReadAsync).WithName("MarkAllRead")
            .WithSummary("Marks all of the caller's notifications read.")
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static async Task<Results<Ok<NotificationPage>, ValidationProblem>> ListAsync(
        string? unread, string? cursor, int? limit, NotificationDbContext db, CurrentUser caller, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var unreadOnly = unread switch
        {
            null or "false" => false,
            "" or "true" => true,
            _ => Fail(errors, "unread", "true, false, or the bare parameter (?unread)."),
        };
        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"From 1 to {MaxLimit}."];
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

        var mine = db.InboxItems.AsNoTracking().Where(i => i.UserId == caller.Id);
        var query = unreadOnly ? mine.Where(i => i.ReadAt == null) : mine;
        if (after is { } position)
        {
            query = query.Where(i => i.CreatedAt < position.CreatedAt || (i.CreatedAt == position.CreatedAt && i.Id.CompareTo(position.Id) < 0));
        }

        var items = await query.OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id).Take(take + 1).ToListAsync(cancellationToken);
        var unreadCount = await mine.CountAsync(i => i.ReadAt == null, cancellationToken);
        var next = items.Count > take ? PageCursor.Of(items[take - 1].CreatedAt, items[take - 1].Id) : null;
        return TypedResults.Ok(new NotificationPage(items.Take(take).Select(NotificationView.From).ToList(), next, unreadCount));
    }

    private static async Task<Results<Ok<NotificationView>, ProblemHttpResult>> MarkReadAsync(
        Guid id, NotificationDbContext db, CurrentUser caller, TimeProvider clock, CancellationToken cancellationToken)
    {
        // Someone else's notification is as absent as another organisation's.
        var item = await db.InboxItems.SingleOrDefaultAsync(i => i.Id == id && i.UserId == caller.Id, cancellationToken);
        if (item is null)
        {
            return TypedResults.Problem(title: "Notification not found", statusCode: StatusCodes.Status404NotFound);
        }

        if (item.ReadAt is null)
        {
            item.ReadAt = clock.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.Ok(NotificationView.From(item));
    }

    private static async Task<Ok<MarkedRead>> MarkAllReadAsync(NotificationDbContext db, CurrentUser caller, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var marked = await db.InboxItems.Where(i => i.UserId == caller.Id && i.ReadAt == null)
            .ExecuteUpdateAsync(update => update.SetProperty(i => i.ReadAt, now), cancellationToken);
        return TypedResults.Ok(new MarkedRead(marked));
    }

    private static bool Fail(Dictionary<string, string[]> errors, string field, string message)
    {
        errors[field] = [message];
        return false;
    }
}
