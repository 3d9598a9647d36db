document.getElementById('root')!.textContent = 'egosound';
