using System.Net;
using System.Net.Sockets;

namespace Pipeline.Notification.Webhooks;

/// <summary>Which addresses webhooks may reach besides the public internet (section <c>Webhooks:Outbound</c>).</summary>
public sealed class OutboundOptions
{
    /// <summary>127.0.0.0/8 and ::1: a receiver on the developer's own machine (the local profile allows it).</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7: receivers inside the operator's own network.</summary>
    public bool AllowPrivateNetworks { get; set; }
}

/// <summary>
/// Server-side request forgery protection: a webhook URL is chosen by a customer, but the request leaves from inside
/// our network. Loopback, private, link-local and cloud metadata addresses (and the unspecified, multicast and
/// reserved ones) are refused unless configuration allows loopback or private networks; metadata never.
/// </summary>
public static class OutboundAddresses
{
    // Cloud metadata and host services outside the link-local range (Azure's wire server, Alibaba's metadata).
    private static readonly IPAddress[] Metadata = [IPAddress.Parse("168.63.129.16"), IPAddress.Parse("100.100.100.200"), IPAddress.Parse("fd00:ec2::254")];

    /// <summary>Why <paramref name="address"/> may not be reached, or null when it may.</summary>
    public static string? Refusal(IPAddress address, OutboundOptions options)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (Metadata.Contains(address) || address.Equals(IPAddress.Parse("169.254.169.254")))
        {
            return "a cloud metadata address";
        }

        if (IPAddress.IsLoopback(address))
        {
            return options.AllowLoopback ? null : "a loopback address";
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b switch
            {
                [0, ..] => "an unspecified address",
                [169, 254, ..] => "a link-local address",
                [10, ..] or [172, >= 16 and <= 31, ..] or [192, 168, ..] or [100, >= 64 and <= 127, ..] =>
                    options.AllowPrivateNetworks ? null : "a private network address",
                [>= 224 and <= 239, ..] => "a multicast address",
                [>= 240, ..] => "a reserved address",
                _ => null,
            };
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            if (address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any))
            {
                return "an unspecified address";
            }

            if (address.IsIPv6LinkLocal)
            {
                return "a link-local address";
            }

            if (address.IsIPv6Multicast)
            {
                return "a multicast address";
            }

            if ((b[0] & 0xfe) == 0xfc || address.IsIPv6SiteLocal)
            {
                return options.AllowPrivateNetworks ? null : "a private network address";
            }

            // 6to4 (2002::/16) and NAT64 (64:ff9b::/96) carry an IPv4 address that the network may route to.
            if (b[0] == 0x20 && b[1] == 0x02)
            {
                return Refusal(new IPAddress(b[2..6]), options);
            }

            if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..12].All(x => x == 0))
            {
                return Refusal(new IPAddress(b[12..16]), options);
            }
        }

        return null;
    }
}

/// <summary>A webhook address that may not be reached; the attempt fails without retry.</summary>
public sealed class OutboundAddressRefusedException(string message) : Exception(message);
