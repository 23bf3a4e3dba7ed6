namespace Pipeline.Testing;

public static class Readiness
{
    /// <summary>Waits until the service at <paramref name="address"/> answers its readiness (<c>/health</c>).</summary>
    public static async Task WaitAsync(Uri address, string service, TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = address };
        await Eventually.Until(async () =>
        {
            try
            {
                return (await client.GetAsync("/health")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, timeout, $"the {service} service is up");
    }
}
