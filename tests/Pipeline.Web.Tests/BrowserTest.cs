namespace Pipeline.Web.Tests;

/// <summary>A test that signs people in to the web app: the browsers it opened are closed when it ends.</summary>
public abstract class BrowserTest(WebSystem web) : IAsyncLifetime
{
    /// <summary>The running system and its browser.</summary>
    protected WebSystem Web { get; } = web;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Web.CloseBrowsersAsync();
}
