using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Pipeline.Web.Infrastructure;

/// <summary>
/// Tells the circuit's live stream when its browser goes away and comes back. Blazor keeps a disconnected circuit for
/// minutes (DisconnectedCircuitRetentionPeriod) in case the browser reconnects; without this, a closed tab's open board
/// went on reading the stream and reloading itself at every change of its pipeline for all that time.
/// </summary>
public sealed class LiveCircuitHandler(LiveUpdates live) : CircuitHandler
{
    public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        live.BrowserLeft();
        return Task.CompletedTask;
    }

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        live.BrowserBack();
        return Task.CompletedTask;
    }
}
