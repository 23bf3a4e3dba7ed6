using MassTransit;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;
using Pipeline.Messaging.Inbox;

namespace Pipeline.Messaging.Organizations;

/// <summary>
/// A service's reaction to an organisation's new settings beyond keeping the profile, run in the same transaction
/// (e.g. reporting re-cuts its days when the time zone changes).
/// </summary>
public interface IOrganizationSettingsObserver
{
    Task OnChangedAsync(OrganizationProfile? before, OrganizationProfile after, CancellationToken cancellationToken);
}

/// <summary>Keeps the service's <see cref="OrganizationProfile"/>s as identity publishes them; once per message, newest version wins.</summary>
public sealed class OrganizationChangedConsumer<TContext>(
    TContext db, IEnumerable<IOrganizationSettingsObserver> observers, IMemoryCache cache, ILogger<OrganizationChangedConsumer<TContext>> logger)
    : IdempotentConsumer<OrganizationChanged, TContext>(db, logger)
    where TContext : ServiceDbContext
{
    protected override async Task HandleAsync(OrganizationChanged message, ConsumeContext<OrganizationChanged> context)
    {
        if (await OrganizationProfiles.ApplyAsync(Db, message, context.CancellationToken) is not { } change)
        {
            return;
        }

        foreach (var observer in observers)
        {
            await observer.OnChangedAsync(change.Before, change.After, context.CancellationToken);
        }

        OrganizationProfiles.Forget(cache, message.OrganizationId);
    }
}

public static class OrganizationProfileRegistration
{
    /// <summary>Consumes <see cref="OrganizationChanged"/> into the service's <c>organization_profiles</c> (see <see cref="OrganizationProfiles.MapOrganizationProfiles"/>).</summary>
    public static IBusRegistrationConfigurator AddOrganizationProfiles<TContext>(this IBusRegistrationConfigurator bus, string serviceName)
        where TContext : ServiceDbContext
    {
        bus.AddConsumer<OrganizationChangedConsumer<TContext>>().Endpoint(endpoint => endpoint.Name = $"{serviceName}-organization-changed");
        return bus;
    }
}
