using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.Testing;

/// <summary>Looks at the first message of an error queue, as an operator would in the management UI, and leaves it there.</summary>
public sealed class ErrorQueueInspector : IDisposable
{
    private readonly IConnection _connection;
    private readonly string _queue;

    private ErrorQueueInspector(IConnection connection, string queue)
    {
        _connection = connection;
        _queue = queue;
    }

    public sealed record ParkedMessage(string Body, string? FaultMessage);

    public static async Task<ErrorQueueInspector> ConnectAsync(Uri broker, string queue) =>
        new(await new ConnectionFactory { Uri = broker }.CreateConnectionAsync(), queue);

    public async Task<ParkedMessage?> PeekAsync()
    {
        await using var channel = await _connection.CreateChannelAsync();
        BasicGetResult? result;
        try
        {
            result = await channel.BasicGetAsync(_queue, autoAck: false);
        }
        catch (OperationInterruptedException)
        {
            return null; // the queue does not exist yet
        }

        if (result is null)
        {
            return null;
        }

        await channel.BasicNackAsync(result.DeliveryTag, multiple: false, requeue: true);
        var headers = result.BasicProperties.Headers;
        var fault = headers is not null && headers.TryGetValue("MT-Fault-Message", out var value) && value is byte[] bytes
            ? Encoding.UTF8.GetString(bytes)
            : null;
        return new ParkedMessage(Encoding.UTF8.GetString(result.Body.Span), fault);
    }

    public void Dispose() => _connection.Dispose();
}
