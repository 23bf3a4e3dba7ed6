// The board's one piece of script: give the keyboard focus back to a card after it moved to another column
// (the element is re-rendered there, and the focus would otherwise fall to the page).
window.pipelineBoard = {
    focus: id => document.getElementById(id)?.focus(),
};
