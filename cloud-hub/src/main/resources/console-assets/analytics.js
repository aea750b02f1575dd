// Draws the analytics pages' charts with chart.js (the WebJar, loaded before this module runs) from
// the JSON the page carries; the tables beside them hold the same numbers and their drill-down links.
function data(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
}

function draw() {
    const site = data('analytics-data');
    if (site && document.getElementById('physical-chart')) {
        new Chart(document.getElementById('physical-chart'), {
            type: 'line',
            data: {
                labels: site.hours,
                datasets: [
                    {label: 'Physical occupancy: people present', data: site.people, borderColor: '#1d4ed8', pointRadius: 0},
                    {label: 'Capacity', data: site.hours.map(() => site.capacity), borderColor: '#6b7280', borderDash: [6, 4], pointRadius: 0},
                ],
            },
            options: {animation: false, maintainAspectRatio: false, scales: {y: {beginAtZero: true, title: {display: true, text: 'people'}}}},
        });
        new Chart(document.getElementById('utilisation-chart'), {
            type: 'bar',
            data: {
                labels: site.resources,
                datasets: [
                    {label: 'Utilisation: booked ÷ bookable hours (%)', data: site.booked, backgroundColor: '#2563eb'},
                    {label: 'Actual: checked-in ÷ bookable hours (%)', data: site.actual, backgroundColor: '#059669'},
                ],
            },
            options: {animation: false, maintainAspectRatio: false, scales: {y: {beginAtZero: true, max: 100, title: {display: true, text: '%'}}}},
        });
    }
    const revenue = data('revenue-data');
    if (revenue && document.getElementById('waterfall-chart')) {
        const colours = {new: '#2563eb', reactivation: '#7c3aed', expansion: '#059669', contraction: '#d97706', churn: '#dc2626'};
        new Chart(document.getElementById('waterfall-chart'), {
            type: 'bar',
            data: {
                labels: revenue.months,
                datasets: [
                    ...Object.keys(colours).map((kind) => ({label: kind, data: revenue[kind], backgroundColor: colours[kind], stack: 'moves'})),
                    {label: 'ending MRR', data: revenue.ending, type: 'line', borderColor: '#111827'},
                ],
            },
            options: {animation: false, maintainAspectRatio: false, scales: {x: {stacked: true}, y: {stacked: true, title: {display: true, text: 'per month'}}}},
        });
    }
}

if (window.Chart) {
    draw();
} else {
    window.addEventListener('load', draw);
}
