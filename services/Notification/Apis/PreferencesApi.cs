using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pipeline.Notification.Domain;
using Pipeline.Notification.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Notification.Apis;

public sealed record KindChannels(string Kind, bool InApp, bool Email, bool Chosen);

public sealed record PreferencesResponse(string? Language, IReadOnlyList<KindChannels> Kinds);

public sealed record KindChoice(string? Kind, bool? InApp, bool? Email);

public sealed record PreferencesRequest(string? Language, IReadOnlyList<KindChoice>? Kinds);

/// <summary>
/// The caller's preferences: per kind of notification, whether it arrives in the app and by e-mail; and the language
/// of their e-mail. A kind the user has not chosen for takes its defaults plus the channel its sender asks for.
/// </summary>
public static class PreferencesApi
{
    public static IEndpointRouteBuilder MapPreferencesApi(this IEndpointRouteBuilder app)
    {
        var preferences = app.MapGroup("/api/notifications/preferences").WithTags("Notifications").RequireAuthorization(InboxAccess.Policy)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        preferences.MapGet("/", GetAsync).WithName("GetPreferences")
            .WithSummary("Per kind of notification, the channels it arrives on (chosen, or the defaults); the e-mail language.")
            .ProducesProblem(StatusCodes.Status403Forbidden);
        preferences.MapPut("/", PutAsync).WithName("UpdatePreferences")
            .WithSummary("Replaces the caller's choices: kinds not listed go back to their defaults.")
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static async Task<Ok<PreferencesResponse>> GetAsync(NotificationDbContext db, CurrentUser caller, CancellationToken cancellationToken)
    {
        var stored = await db.Preferences.AsNoTracking().SingleOrDefaultAsync(p => p.UserId == caller.Id, cancellationToken);
        return TypedResults.Ok(Describe(stored));
    }

    private static async Task<Results<Ok<PreferencesResponse>, ValidationProblem>> PutAsync(
        PreferencesRequest request, NotificationDbContext db, CurrentUser caller, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Language is { } language && !Languages.Supported.Contains(language))
        {
            errors["language"] = [$"One of {string.Join(", ", Languages.Supported)}, or null for the default (en)."];
        }

        var kinds = request.Kinds ?? [];
        for (var i = 0; i < kinds.Count; i++)
        {
            var choice = kinds[i];
            if (choice.Kind is null || !NotificationKinds.Defaults.ContainsKey(choice.Kind))
            {
                errors[$"kinds[{i}].kind"] = [$"One of {string.Join(", ", NotificationKinds.Defaults.Keys)}."];
            }
            else if (kinds.Take(i).Any(k => k.Kind == choice.Kind))
            {
                errors[$"kinds[{i}].kind"] = [$"'{choice.Kind}' is listed twice."];
            }

            if (choice.InApp is null)
            {
                errors[$"kinds[{i}].inApp"] = ["Required: true or false."];
            }

            if (choice.Email is null)
            {
                errors[$"kinds[{i}].email"] = ["Required: true or false."];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The request is not valid.");
        }

        var stored = await db.Preferences.SingleOrDefaultAsync(p => p.UserId == caller.Id, cancellationToken);
        if (stored is null)
        {
            stored = new NotificationPreferences { UserId = caller.Id };
            db.Preferences.Add(stored);
        }

        stored.Language = request.Language;
        stored.Kinds = kinds.Select(k => new KindPreference { Kind = k.Kind!, InApp = k.InApp!.Value, Email = k.Email!.Value }).ToList();
        stored.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(Describe(stored));
    }

    private static PreferencesResponse Describe(NotificationPreferences? stored) => new(
        stored?.Language,
        NotificationKinds.Defaults.Select(kind => stored?.Kinds.FirstOrDefault(k => k.Kind == kind.Key) is { } chosen
                ? new KindChannels(kind.Key, chosen.InApp, chosen.Email, Chosen: true)
                : new KindChannels(kind.Key, kind.Value.InApp, kind.Value.Email, Chosen: false))
            .ToList());
}
