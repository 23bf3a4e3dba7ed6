using Microsoft.Playwright;

namespace Pipeline.EndToEnd.Tests;

/// <summary>The web UI's sign-in, in a real Chromium: authorization code with PKCE against our issuer.</summary>
[Collection(PipelineCollection.Name)]
public sealed class WebSignInTests(PipelineApp pipeline) : IAsyncLifetime
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Fact]
    public async Task A_sales_rep_signs_in_to_the_web_ui_and_is_greeted_by_name()
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(pipeline.Gateway.BaseAddress!.ToString());
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in" }).ClickAsync();

        await page.GetByLabel("E-mail").FillAsync(Tokens.Bob);
        await page.GetByLabel("Password").FillAsync("a wrong password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("incorrect");

        await page.GetByLabel("E-mail").FillAsync(Tokens.Bob);
        await page.GetByLabel("Password").FillAsync(Tokens.DemoPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.Locator(".signed-in")).ToContainTextAsync("Signed in as Bob Durand", new() { Timeout = 20_000 });
        Assert.StartsWith(pipeline.Gateway.BaseAddress!.ToString(), page.Url);
    }
}
