using MassTransit;
using Microsoft.EntityFrameworkCore;
using Pipeline.Messaging.Tenancy;

namespace Pipeline.Messaging.Diagnostics;

/// <summary>A <see cref="Contracts.ProbeSent"/> this service received: proof that the event path to it works.</summary>
public sealed class ProbeReceipt : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public required Guid ProbeId { get; init; }

    public required string SentBy { get; init; }

    public required DateTimeOffset SentAt { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }
}

/// <summary>
/// The diagnostics probe is a module a service opts into: its consumer and its table (<c>probe_receipts</c>) exist
/// only in the services that call <see cref="AddDiagnosticsProbe{TContext}"/> and <see cref="MapProbeReceipts"/>
/// (and <see cref="ProbeApi.MapProbeApi{TContext}"/> for its routes).
/// </summary>
public static class DiagnosticsProbe
{
    public static IBusRegistrationConfigurator AddDiagnosticsProbe<TContext>(this IBusRegistrationConfigurator bus, string serviceName)
        where TContext : ServiceDbContext
    {
        bus.AddConsumer<ProbeConsumer<TContext>>().Endpoint(endpoint => endpoint.Name = $"{serviceName}-probe");
        return bus;
    }

    public static ModelBuilder MapProbeReceipts(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ProbeReceipt>(receipt =>
        {
            receipt.ToTable("probe_receipts");
            receipt.HasKey(r => r.ProbeId);
            receipt.Property(r => r.SentBy).HasMaxLength(100);
        });
        return modelBuilder;
    }
}
