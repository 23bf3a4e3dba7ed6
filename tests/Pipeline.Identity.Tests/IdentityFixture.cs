using Pipeline.Testing;

namespace Pipeline.Identity.Tests;

[CollectionDefinition(Name)]
public sealed class IdentityCollection : ICollectionFixture<IdentityFixture>
{
    public const string Name = "identity service";
}

/// <summary>The identity service as a process of its own on a fresh database and virtual host, and a recorder of what it publishes.</summary>
public sealed class IdentityFixture : IAsyncLifetime
{
    private TestVirtualHost _broker = null!;

    public IssuerProcess Issuer { get; private set; } = null!;

    public EventRecorder Events { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestVirtualHost.CreateAsync();
        // Listening before the service starts: its release publishes every organisation and user once more.
        Events = await EventRecorder.StartAsync(_broker.Uri, ["OrganizationChanged", "UserChanged"]);
        Issuer = await IssuerProcess.StartAsync(_broker.Uri);
    }

    public async Task DisposeAsync()
    {
        await Issuer.DisposeAsync();
        await Events.DisposeAsync();
        await _broker.DisposeAsync();
    }
}
