namespace Pipeline.Testing;

/// <summary>
/// A RabbitMQ virtual host of its own on the test broker: exchanges and queues of one test never see another's
/// messages, even though every test publishes the same contract types. Deleted when disposed.
/// </summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    private readonly RabbitMqControl _control;

    private TestVirtualHost(string name, RabbitMqControl control, Uri broker)
    {
        Name = name;
        _control = control;
        Uri = new UriBuilder(broker) { Path = "/" + Uri.EscapeDataString(name) }.Uri;
    }

    public string Name { get; }

    /// <summary>amqp:// address of this virtual host.</summary>
    public Uri Uri { get; }

    public static Task<TestVirtualHost> CreateAsync() =>
        CreateAsync(new RabbitMqControl(TestServers.RabbitMqNode, TestServers.RabbitMqHome), TestServers.RabbitMq);

    public static async Task<TestVirtualHost> CreateAsync(RabbitMqControl control, Uri broker)
    {
        var name = $"test-{Guid.NewGuid():N}";
        await control.RunAsync("add_vhost", name);
        await control.RunAsync("set_permissions", "-p", name, "guest", ".*", ".*", ".*");
        return new TestVirtualHost(name, control, broker);
    }

    public async ValueTask DisposeAsync() => await _control.RunAsync("delete_vhost", Name);
}
