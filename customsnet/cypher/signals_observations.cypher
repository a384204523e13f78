// Yearly country attributes (Observation nodes) for some variables over a range of years.
// One row per year and variable, with parallel lists countries[n], values[n], sources[n] (a
// country-year appears once per source that gives it; the export applies the precedence); uses the index
// on Observation(variable, year).
// :param {variables: ['polyarchy', 'civlib', 'corruption', 'ideal_point', 'terror_fatalities', 'majors_list'], from: 1989, to: 2019}
MATCH (o:Observation)
WHERE o.variable IN $variables AND o.year >= $from AND o.year <= $to
WITH o ORDER BY o.iso3
RETURN o.year AS year, o.variable AS variable, collect(o.iso3) AS countries, collect(o.value) AS values,
       collect(o.source) AS sources
ORDER BY year, variable
