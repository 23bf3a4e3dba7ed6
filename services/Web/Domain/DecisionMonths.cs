namespace Pipeline.Web.Domain;

/// <summary>Moving a deal's expected decision date to another month, as the by-date view's drag does.</summary>
public static class DecisionMonths
{
    /// <summary>
    /// The same day of the target month where that month has it, else its last day (31 January to February gives the
    /// 28th or 29th); never before <paramref name="today"/>, which a drag to the current month would otherwise do. An
    /// undated deal takes the month's last day.
    /// </summary>
    public static DateOnly MoveTo(DateOnly? current, int year, int month, DateOnly today)
    {
        var lastDay = DateTime.DaysInMonth(year, month);
        var day = current is { } date ? Math.Min(date.Day, lastDay) : lastDay;
        var moved = new DateOnly(year, month, day);
        return moved < today ? today : moved;
    }
}
