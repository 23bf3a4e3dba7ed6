using System.Net;
using Pipeline.Notification.Webhooks;

namespace Pipeline.Notification.Tests;

/// <summary>The address rules alone (pure logic): what webhooks may reach, by default and as configured.</summary>
public sealed class OutboundAddressesTests
{
    private static readonly OutboundOptions Production = new();

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.0.1")]
    [InlineData("100.64.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("169.254.1.1")]
    [InlineData("fe80::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("fc00::5")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("2002:7f00:1::")]
    [InlineData("64:ff9b::a00:1")]
    [InlineData("168.63.129.16")]
    public void Addresses_inside_a_network_are_refused(string address) =>
        Assert.NotNull(OutboundAddresses.Refusal(IPAddress.Parse(address), Production));

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:2800:21f:cb07:6820:80da:af6b:8b2c")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.Null(OutboundAddresses.Refusal(IPAddress.Parse(address), Production));

    [Fact]
    public void Configuration_allows_loopback_or_private_networks_but_never_metadata()
    {
        var local = new OutboundOptions { AllowLoopback = true, AllowPrivateNetworks = true };
        Assert.Null(OutboundAddresses.Refusal(IPAddress.Loopback, local));
        Assert.Null(OutboundAddresses.Refusal(IPAddress.IPv6Loopback, local));
        Assert.Null(OutboundAddresses.Refusal(IPAddress.Parse("10.0.0.1"), local));
        Assert.Equal("a cloud metadata address", OutboundAddresses.Refusal(IPAddress.Parse("169.254.169.254"), local));
        Assert.Equal("a private network address", OutboundAddresses.Refusal(IPAddress.Parse("10.0.0.1"), new OutboundOptions { AllowLoopback = true }));
    }
}
