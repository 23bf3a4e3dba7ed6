using System.Collections.Concurrent;
using System.Text.Json;
using Pipeline.Contracts;

namespace Pipeline.Messaging;

/// <summary>How events are stored in the outbox, and how their type name maps back to a contract type.</summary>
public static class MessageSerialization
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    private static readonly ConcurrentDictionary<string, Type?> Types = new();

    public static Type? ResolveType(string messageType) =>
        Types.GetOrAdd(messageType, name => typeof(IntegrationMessage).Assembly.GetType(name, throwOnError: false));
}
