using System.Globalization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Localization;
using MudBlazor.Services;
using Pipeline.ServiceDefaults;
using Pipeline.Web.Apis;
using Pipeline.Web.Components;
using Pipeline.Web.Infrastructure;

namespace Pipeline.Web;

/// <summary>Every registration of the web UI, and its request pipeline.</summary>
public static class WebService
{
    public static WebApplicationBuilder AddWebService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddWebSignIn();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();

        // The APIs are reached through the gateway, the same address users reach (and the token issuer's).
        var gateway = new Uri(builder.Configuration["Gateway:Address"] ?? builder.Configuration["Authentication:Authority"] ?? "http://localhost:8080/");
        builder.Services.AddHttpClient(PipelineApi.Gateway, client => client.BaseAddress = gateway);
        // The live stream and the CSV export stay open longer than the resilience handler's request timeouts allow.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked for evaluation; it is the documented way out of the defaults.
        builder.Services.AddHttpClient(PipelineApi.GatewayStream, client =>
        {
            client.BaseAddress = gateway;
            client.Timeout = Timeout.InfiniteTimeSpan;
        }).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddScoped<PipelineApi>();
        builder.Services.AddScoped<LiveUpdates>();
        builder.Services.AddScoped<CircuitHandler, LiveCircuitHandler>();
        builder.Services.AddScoped<SalesContext>();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    public static WebApplication UseWebService(this WebApplication app)
    {
        var authority = app.Configuration["Authentication:Authority"];
        app.UseSecurityHeaders(authority is null ? null : new Uri(authority).GetLeftPart(UriPartial.Authority));
        // Texts follow the browser's language (English or French); numbers, dates and currencies its region.
        var cultures = CultureInfo.GetCultures(CultureTypes.SpecificCultures)
            .Where(c => c.TwoLetterISOLanguageName is "en" or "fr" or "de" or "es" or "it" or "nl" or "pt").ToArray();
        app.UseRequestLocalization(new RequestLocalizationOptions
        {
            DefaultRequestCulture = new RequestCulture("en-US"),
            SupportedCultures = cultures,
            SupportedUICultures = cultures,
            RequestCultureProviders = [new AcceptLanguageHeaderRequestCultureProvider()],
        });
        app.UseServiceDefaults();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapWebSignIn();
        app.MapCsvExport();
        app.MapReportExport();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
