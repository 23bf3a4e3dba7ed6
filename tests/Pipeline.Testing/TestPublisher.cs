using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;

namespace Pipeline.Testing;

public static class TestPublisher
{
    /// <summary>
    /// A bus publishing to <paramref name="broker"/> the way the services' outboxes do: to each message type's own
    /// exchange, not to exchanges of the contracts' base types, which no service binds.
    /// </summary>
    public static async Task<IHost> StartAsync(Uri broker)
    {
        var publisher = Host.CreateApplicationBuilder();
        publisher.Logging.ClearProviders();
        publisher.Services.AddMassTransit(bus => bus.UsingRabbitMq((_, rabbit) =>
        {
            rabbit.Host(broker);
            rabbit.Publish<IntegrationMessage>(p => p.Exclude = true);
            rabbit.Publish<OpportunityEvent>(p => p.Exclude = true);
            rabbit.Publish<QuoteEvent>(p => p.Exclude = true);
        }));
        var host = publisher.Build();
        await host.StartAsync();
        await host.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(60));
        return host;
    }
}
